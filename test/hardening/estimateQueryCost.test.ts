import { buildASTSchema, buildSchema, Kind, parse, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateQueryCost } from '../../src/limits/estimateQueryCost.ts';
import { MAX_FILTERED_PAGES } from '../../src/limits/upstreamListRequests.ts';
import { loadTypeDefs } from '../../src/schema.ts';

const schema = buildASTSchema(
  parse(/* GraphQL */ `
    interface Node { id: ID! }
    type Item implements Node { id: ID! name: String tags: [String!]! owner: Owner children(first: Int = 20): ItemConnection! }
    type Owner { name: String }
    type ItemConnection { edges: [ItemEdge!]! nodes: [Item!]! pageInfo: PageInfo! totalCount: Int }
    type ItemEdge { cursor: String! node: Item! }
    type PageInfo { hasNextPage: Boolean! }
    type Query {
      items(first: Int = 20, after: String): ItemConnection!
      nodes(ids: [ID!]!): [Node]!
      item(id: ID!): Item
    }
  `),
);

function cost(query: string, variables?: Record<string, unknown>, on: GraphQLSchema = schema): number {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return estimateQueryCost({ schema: on, document, operation, variables });
}

describe('estimateQueryCost', () => {
  it('charges leaves nothing, each object one point, and an object fetched by id one more', () => {
    expect(cost('{ item(id: "1") { id name tags } }')).toBe(2);
    expect(cost('{ item(id: "1") { owner { name } } }')).toBe(3);
  });

  it('charges a connection its surcharge and its edges/nodes `first` times, pageInfo once', () => {
    // 10 (connection) + 1 (pageInfo) + 5 × (edge 1 + node 1 + owner 1)
    expect(cost('{ items(first: 5) { totalCount pageInfo { hasNextPage } edges { cursor node { owner { name } } } } }')).toBe(26);
  });

  it('uses the schema default of `first` when it is left out', () => {
    expect(cost('{ items { nodes { id } } }')).toBe(10 + 20);
  });

  it('reads `first` from variables, then from the variable default', () => {
    const query = 'query($n: Int = 3) { items(first: $n) { nodes { id } } }';
    expect(cost(query, { n: 50 })).toBe(60);
    expect(cost(query, {})).toBe(13);
    // A value coercion will refuse counts as a full page, never as zero.
    expect(cost(query, { n: 'lots' })).toBe(110);
  });

  it('multiplies nested connections: the case that fans out into many upstream calls', () => {
    const nested = '{ items(first: 100) { nodes { children(first: 50) { nodes { id } } } } }';
    // 10 + 100 × (1 + 10 + 50 × 1)
    expect(cost(nested)).toBe(6110);
  });

  it('counts a lookup by ids once per id, literal or variable, each like a node lookup', () => {
    expect(cost('{ nodes(ids: ["a", "b", "c"]) { id } }')).toBe(3 * 2);
    expect(cost('query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Item { owner { name } } } }', { ids: ['a', 'b'] })).toBe(2 * 3);
  });

  it('expands fragments and charges introspection nothing', () => {
    const query = `
      { items(first: 10) { ...Page } __schema { types { name fields { name } } } }
      fragment Page on ItemConnection { nodes { ...Owned } }
      fragment Owned on Item { owner { name } }
    `;
    expect(cost(query)).toBe(10 + 10 * 2);
  });
});

describe('estimateQueryCost on the gateway schema: upstream requests of provider lists', () => {
  const gatewaySchema = buildSchema(loadTypeDefs().join('\n'));
  const gateway = (query: string, variables?: Record<string, unknown>) => cost(query, variables, gatewaySchema);
  const F = MAX_FILTERED_PAGES;

  it('charges a conversation list the pages it reads from each provider', () => {
    // 3 providers × 1 page (20 fits one page of 100) + 20 nodes
    expect(gateway('{ conversations(first: 20) { nodes { id } } }')).toBe(3 + 20);
    // 100 items fit one page (hasNextPage comes from the provider's total, not from item 101);
    // totalCount one small page more; a cursor one page more
    expect(gateway('{ conversations(first: 100) { totalCount nodes { id } } }')).toBe(3 * (1 + 1) + 100);
    // A page past the largest is refused by the field before any upstream request: costed as the largest.
    expect(gateway('{ conversations(first: 101) { nodes { id } } }')).toBe(3 + 100);
    expect(gateway('{ conversations(first: 2147483647) { nodes { id } } }')).toBe(3 + 100);
    expect(gateway('{ conversations(first: 10, after: "c") { nodes { id } } }')).toBe(3 * 2 + 10);
    // Only the providers asked for
    expect(gateway('{ conversations(first: 10, filter: { providers: [TRATA] }) { nodes { id } } }')).toBe(1 + 10);
  });

  it('charges a list a provider may filter locally its page bound, twice with totalCount', () => {
    expect(gateway('{ conversations(first: 5, filter: { statuses: [FAILED] }) { nodes { id } } }')).toBe(3 * F + 5);
    expect(gateway('{ conversations(first: 5, filter: { channels: [CHAT] }) { totalCount } }')).toBe(3 * 2 * F);
    // Variables inside a literal filter, and totalCount selected through a fragment, count alike.
    const query = 'query($s: [ConversationStatus!]) { conversations(first: 5, filter: { statuses: $s }) { ...T } } fragment T on ConversationConnection { totalCount }';
    expect(gateway(query, { s: ['ENDED', 'FAILED'] })).toBe(3 * 2 * F);
    expect(gateway(query, {})).toBe(3 * 2);
    // One prospect is filtered upstream (Trata); two may not be.
    expect(gateway('{ conversations(first: 5, filter: { prospectIds: ["p"] }) { totalCount } }')).toBe(3 * 2);
    expect(gateway('{ conversations(first: 5, filter: { prospectIds: ["p", "q"] }) { totalCount } }')).toBe(3 * 2 * F);
  });

  it("charges an agent's conversations as a locally filtered list of one provider", () => {
    // agent lookup (object + lookup) + one provider × 20 pages + 5 nodes
    expect(gateway('{ agent(id: "a") { conversations(first: 5) { nodes { id } } } }')).toBe(2 + F + 5);
    // agents: two pages per provider + one for totalCount; each agent's list on top
    expect(gateway('{ agents(first: 2) { totalCount nodes { conversations(first: 1) { nodes { id } } } } }')).toBe(3 * 3 + 2 * (1 + F + 1));
  });

  it('charges a conversation\'s agent and prospect as lookups, and store lists the flat surcharge', () => {
    expect(gateway('{ conversations(first: 10) { nodes { agent { id } prospect { id } } } }')).toBe(3 + 10 * (1 + 2 + 2));
    // batches: 10 (store) + 2 × (1 + items: 10 + 3 × (1 + conversation lookup 2))
    expect(gateway('{ batches(first: 2) { nodes { items(first: 3) { nodes { conversation { id } } } } } }')).toBe(10 + 2 * (1 + 10 + 3 * 3));
  });
});
