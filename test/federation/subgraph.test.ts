import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { readFileSync } from 'node:fs';
import {
  buildClientSchema,
  buildSchema,
  findBreakingChanges,
  findDangerousChanges,
  getIntrospectionQuery,
  Kind,
  parse,
  print,
  type IntrospectionQuery,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

/**
 * A second, small subgraph owned by another team: notes written about conversations. It only
 * references `Conversation` by its key; everything else about a conversation comes from
 * Switchboard through `_entities`.
 */
const NOTES_SUBGRAPH = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Conversation @key(fields: "id", resolvable: false) { id: ID! }
  type Note { text: String! conversation: Conversation! }
  type Query { notes: [Note!]! }
`);

const ENTITIES = `query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Conversation { id provider status agent { name } }
    ... on Agent { id name }
    ... on Prospect { id name }
    ... on ConversationBatch { id batchStatus: status }
  }
}`;

describe('federation off (the default)', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  it('serves exactly the committed schema.graphql', async () => {
    const { body } = await gateway.query<IntrospectionQuery>(getIntrospectionQuery());
    if (!body.data) throw new Error(JSON.stringify(body.errors));
    const served = buildClientSchema(body.data);
    const committed = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
    expect([...findBreakingChanges(committed, served), ...findBreakingChanges(served, committed)]).toEqual([]);
    expect([...findDangerousChanges(committed, served), ...findDangerousChanges(served, committed)]).toEqual([]);
  });

  it('has no _service field', async () => {
    const { status, body } = await gateway.query('{ _service { sdl } }');
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('SWITCHBOARD_FEDERATION=true: an Apollo Federation 2 subgraph', () => {
  let gateway: TestGateway;
  let sdl: string;
  beforeAll(async () => {
    gateway = await startTestGateway({ SWITCHBOARD_FEDERATION: 'true' });
    const { body } = await gateway.query<{ _service: { sdl: string } }>('{ _service { sdl } }');
    sdl = body.data?._service.sdl ?? '';
  });
  afterAll(() => gateway.close());

  it('answers _service with the four entities keyed by id', () => {
    const keyed = parse(sdl).definitions.flatMap((definition) =>
      definition.kind === Kind.OBJECT_TYPE_DEFINITION &&
      definition.directives?.some((directive) => directive.name.value === 'key' && print(directive) === '@key(fields: "id")')
        ? [definition.name.value]
        : [],
    );
    expect(keyed.sort()).toEqual(['Agent', 'Conversation', 'ConversationBatch', 'Prospect']);
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.7"');
  });

  it('answers _service with exactly the committed schema.subgraph.graphql', () => {
    expect(`${sdl.trimEnd()}\n`).toBe(readFileSync(new URL('../../schema.subgraph.graphql', import.meta.url), 'utf8'));
  });

  it('composes with a second subgraph into a supergraph', () => {
    // The notes subgraph is itself a valid subgraph (buildSubgraphSchema throws otherwise).
    buildSubgraphSchema([{ typeDefs: NOTES_SUBGRAPH }]);
    const result = composeServices([
      { name: 'switchboard', url: gateway.url, typeDefs: parse(sdl) },
      { name: 'notes', url: 'http://notes.invalid/graphql', typeDefs: NOTES_SUBGRAPH },
    ]);
    expect(result.errors?.map((error) => error.message)).toBeUndefined();
    const supergraph = result.supergraphSdl ?? '';
    expect(supergraph).toMatch(/type Conversation implements Node\s+@join__implements\(graph: SWITCHBOARD, interface: "Node"\)\s+@join__type\(graph: NOTES, key: "id", resolvable: false\)\s+@join__type\(graph: SWITCHBOARD, key: "id"\)\s*\{/);
    // The router plans `notes { conversation { status } }` as a fetch from NOTES then one from
    // SWITCHBOARD's _entities: status is Switchboard's field alone.
    expect(supergraph).toMatch(/type Note\s+@join__type\(graph: NOTES\)\s*\{\s*text: String!\s*conversation: Conversation!/);
  });

  it('resolves each entity reference through _entities, as the router asks for it', async () => {
    const page = await gateway.query<{
      conversations: { nodes: { id: string; provider: string; status: string; agent: { id: string; name: string } | null; prospect: { id: string; name: string } | null }[] };
    }>('{ conversations(first: 40, filter: { providers: [TRATA] }) { nodes { id provider status agent { id name } prospect { id name } } } }');
    const conversation = page.body.data?.conversations.nodes.find((node) => node.agent && node.prospect);
    if (!conversation?.agent || !conversation.prospect) throw new Error('the demo data has Trata conversations with an agent and a prospect');
    const oration = await gateway.query<{ agents: { nodes: { id: string }[] } }>('{ agents(first: 1, providers: [ORATION]) { nodes { id } } }');
    const batch = await gateway.query<{ createConversations: { id: string } }>(
      `mutation Launch($input: CreateConversationsInput!) { createConversations(input: $input) { id } }`,
      { input: { idempotencyKey: 'federation-entity', conversations: [{ agentId: oration.body.data?.agents.nodes[0]?.id, channel: 'PHONE_OUTBOUND', toNumber: '+14155550101' }] } },
    );
    const batchId = batch.body.data?.createConversations.id;
    if (!batchId) throw new Error(`no batch: ${JSON.stringify(batch.body.errors)}`);

    const { status, body } = await gateway.query<{ _entities: unknown[] }>(ENTITIES, {
      representations: [
        { __typename: 'Conversation', id: conversation.id },
        { __typename: 'Agent', id: conversation.agent.id },
        { __typename: 'Prospect', id: conversation.prospect.id },
        { __typename: 'ConversationBatch', id: batchId },
      ],
    });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?._entities).toEqual([
      { __typename: 'Conversation', id: conversation.id, provider: 'TRATA', status: conversation.status, agent: { name: conversation.agent.name } },
      { __typename: 'Agent', id: conversation.agent.id, name: conversation.agent.name },
      { __typename: 'Prospect', id: conversation.prospect.id, name: conversation.prospect.name },
      { __typename: 'ConversationBatch', id: batchId, batchStatus: expect.any(String) },
    ]);
  });

  it('answers NOT_FOUND for a reference of another type, and still resolves the others', async () => {
    const page = await gateway.query<{ agents: { nodes: { id: string; name: string }[] } }>('{ agents(first: 1) { nodes { id name } } }');
    const agent = page.body.data?.agents.nodes[0];
    if (!agent) throw new Error('the demo has agents');
    const { body } = await gateway.query<{ _entities: unknown[] }>(ENTITIES, {
      representations: [
        { __typename: 'Conversation', id: agent.id },
        { __typename: 'Agent', id: agent.id },
      ],
    });
    expect(body.data?._entities).toEqual([null, { __typename: 'Agent', id: agent.id, name: agent.name }]);
    expect(body.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([[['_entities', 0], 'NOT_FOUND']]);
  });

  it('answers a representation that names no entity of this subgraph at its index, and still resolves the others', async () => {
    // @apollo/subgraph's resolver threw at `Nope` after starting the lookup before it: the whole
    // field was an INTERNAL_SERVER_ERROR, and that lookup's NOT_FOUND, unheard, ended the process.
    const page = await gateway.query<{ agents: { nodes: { id: string; name: string }[] } }>('{ agents(first: 1) { nodes { id name } } }');
    const agent = page.body.data?.agents.nodes[0];
    if (!agent) throw new Error('the demo has agents');
    const { status, body } = await gateway.query<{ _entities: unknown[] }>(ENTITIES, {
      representations: [
        { __typename: 'Conversation', id: 'x' },
        { __typename: 'Nope', id: 'y' },
        { id: agent.id },
        'Agent',
        { __typename: 'Query', id: agent.id },
        { __typename: 'Agent' },
        { __typename: 'Agent', id: 7 },
        { __typename: 'Agent', id: agent.id },
      ],
    });
    expect(status).toBe(200);
    expect(body.data?._entities).toEqual([null, null, null, null, null, null, null, { __typename: 'Agent', id: agent.id, name: agent.name }]);
    // In the order they settled: the lookup's NOT_FOUND comes after the others' refusals.
    const byIndex = [...(body.errors ?? [])].sort((a, b) => Number(a.path?.[1]) - Number(b.path?.[1]));
    expect(byIndex.map((error) => [error.path, error.extensions?.code, error.extensions?.index ?? null])).toEqual([
      [['_entities', 0], 'NOT_FOUND', null],
      [['_entities', 1], 'BAD_USER_INPUT', 1],
      [['_entities', 2], 'BAD_USER_INPUT', 2],
      [['_entities', 3], 'BAD_USER_INPUT', 3],
      [['_entities', 4], 'BAD_USER_INPUT', 4],
      [['_entities', 5], 'BAD_USER_INPUT', 5],
      [['_entities', 6], 'BAD_USER_INPUT', 6],
    ]);
    expect(byIndex[1]?.message).toBe(
      'representations[1] is no entity reference of this subgraph: it needs a __typename of Conversation, Agent, Prospect, ConversationBatch and an id',
    );
    // The process still serves.
    expect((await gateway.query<{ agents: unknown }>('{ agents(first: 1) { nodes { id } } }')).status).toBe(200);
  });

  it('needs an API key like every other field', async () => {
    const { status, body } = await gateway.query('{ _service { sdl } }', undefined, null);
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('bounds the representations of one request as it bounds nodes(ids:)', async () => {
    const representations = Array.from({ length: 101 }, () => ({ __typename: 'Agent', id: 'x' }));
    const { status, body } = await gateway.query(ENTITIES, { representations });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'representations', max: 100, actual: 101 });
  });
});
