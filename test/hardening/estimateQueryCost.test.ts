import { buildASTSchema, Kind, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateQueryCost } from '../../src/limits/estimateQueryCost.ts';

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

function cost(query: string, variables?: Record<string, unknown>): number {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return estimateQueryCost({ schema, document, operation, variables });
}

describe('estimateQueryCost', () => {
  it('charges leaves nothing and each object one point', () => {
    expect(cost('{ item(id: "1") { id name tags } }')).toBe(1);
    expect(cost('{ item(id: "1") { owner { name } } }')).toBe(2);
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

  it('counts a lookup by ids once per id, literal or variable', () => {
    expect(cost('{ nodes(ids: ["a", "b", "c"]) { id } }')).toBe(3);
    expect(cost('query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Item { owner { name } } } }', { ids: ['a', 'b'] })).toBe(4);
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
