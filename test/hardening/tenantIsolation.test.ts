import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromGlobalId, toGlobalId, type NodeType } from '../../src/domain/globalId.ts';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

/**
 * Demo mode has two workspaces on separate simulator accounts: `demo` (key demo-key) and `acme`
 * (key acme-key). Whatever one holds, the other can neither read nor detect.
 */
interface Ids {
  conversations: string[];
  agents: string[];
  prospects: string[];
}

const LISTS = /* GraphQL */ `
  {
    conversations(first: 100) { edges { node { id } } }
    agents(first: 100) { nodes { id } }
    prospects(first: 100) { nodes { id } }
  }
`;

describe('tenant isolation between two workspaces', () => {
  let gw: TestGateway;
  const ids: Record<'demo' | 'acme', Ids> = {
    demo: { conversations: [], agents: [], prospects: [] },
    acme: { conversations: [], agents: [], prospects: [] },
  };

  beforeAll(async () => {
    gw = await startTestGateway();
    for (const workspace of ['demo', 'acme'] as const) {
      const { body } = await gw.query<{
        conversations: { edges: { node: { id: string } }[] };
        agents: { nodes: { id: string }[] };
        prospects: { nodes: { id: string }[] };
      }>(LISTS, undefined, `${workspace}-key`);
      expect(body.errors).toBeUndefined();
      ids[workspace] = {
        conversations: body.data!.conversations.edges.map((e) => e.node.id),
        agents: body.data!.agents.nodes.map((n) => n.id),
        prospects: body.data!.prospects.nodes.map((n) => n.id),
      };
    }
  });
  afterAll(async () => {
    await gw.close();
  });

  it('each workspace lists only its own conversations, agents and prospects', () => {
    for (const kind of ['conversations', 'agents', 'prospects'] as const) {
      expect(ids.demo[kind].length).toBeGreaterThan(0);
      expect(ids.acme[kind].length).toBeGreaterThan(0);
      expect(ids.acme[kind].filter((id) => ids.demo[kind].includes(id))).toEqual([]);
    }
  });

  /** An id of the same provider and type that no workspace has. */
  const neverIssued = (id: string): string => {
    const parts = fromGlobalId(id)!;
    // A batch's id is a uuid the gateway made: one it never made is another uuid.
    return toGlobalId({ ...parts, nativeId: parts.type === 'ConversationBatch' ? randomUUID() : `${parts.nativeId}-never-issued` });
  };

  it.each([
    ['conversation', 'Conversation', 'conversations'],
    ['agent', 'Agent', 'agents'],
    ['prospect', 'Prospect', 'prospects'],
  ] as const)('a %s id of the other workspace is NOT_FOUND exactly like one that never existed', async (field, type, kind) => {
    const foreign = ids.demo[kind].slice(0, 8);
    for (const id of foreign) {
      expect(fromGlobalId(id)?.type).toBe(type satisfies NodeType);
      const missing = neverIssued(id);
      for (const query of [`query($id: ID!) { ${field}(id: $id) { id } }`, 'query($id: ID!) { node(id: $id) { id } }']) {
        const asForeign = await gw.query(query, { id }, 'acme-key');
        const asMissing = await gw.query(query, { id: missing }, 'acme-key');
        expect(asForeign.status).toBe(asMissing.status);
        expect(asForeign.body.data).toEqual(asMissing.body.data);
        const [foreignError] = asForeign.body.errors ?? [];
        const [missingError] = asMissing.body.errors ?? [];
        expect(foreignError?.extensions).toEqual({ code: 'NOT_FOUND' });
        expect(missingError?.extensions).toEqual({ code: 'NOT_FOUND' });
        expect(foreignError?.message.replace(id, '<id>')).toBe(missingError?.message.replace(missing, '<id>'));
      }
      // The owner still reads it: the id is real.
      const own = await gw.query<Record<string, { id: string } | null>>(`query($id: ID!) { ${field}(id: $id) { id } }`, { id }, 'demo-key');
      expect(own.body.data?.[field]?.id).toBe(id);
    }
  });

  it('nodes(ids:) answers null for every id of the other workspace', async () => {
    const foreign = [...ids.demo.conversations.slice(0, 10), ...ids.demo.agents.slice(0, 5), ...ids.demo.prospects.slice(0, 5)];
    const { body } = await gw.query<{ nodes: ({ id: string } | null)[] }>('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: foreign }, 'acme-key');
    expect(body.data?.nodes).toEqual(foreign.map(() => null));
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(foreign.map(() => 'NOT_FOUND'));
  });

  it('filtering by the other workspace\'s agents or prospects finds nothing of theirs', async () => {
    const { body } = await gw.query<{ conversations: { totalCount: number | null; edges: { node: { id: string } }[] } }>(
      'query($agents: [ID!], $prospects: [ID!]) { a: conversations(first: 50, filter: { agentIds: $agents }) { edges { node { id } } } p: conversations(first: 50, filter: { prospectIds: $prospects }) { edges { node { id } } } }',
      { agents: ids.demo.agents.slice(0, 10), prospects: ids.demo.prospects.slice(0, 10) },
      'acme-key',
    );
    const data = body.data as unknown as Record<'a' | 'p', { edges: { node: { id: string } }[] }> | undefined;
    const found = [...(data?.a.edges ?? []), ...(data?.p.edges ?? [])].map((e) => e.node.id);
    expect(found.filter((id) => ids.demo.conversations.includes(id))).toEqual([]);
    expect(found.filter((id) => !ids.acme.conversations.includes(id))).toEqual([]);
  });

  it('an agent of the other workspace cannot be used to reach its conversations', async () => {
    const [agentId] = ids.demo.agents;
    const { body } = await gw.query(
      'query($id: ID!) { agent(id: $id) { conversations(first: 5) { edges { node { id } } } } }',
      { id: agentId },
      'acme-key',
    );
    expect(body.data?.agent ?? null).toBeNull();
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
  });

  it('a create naming the other workspace\'s agent is refused like an unknown agent; nothing is sent or stored', async () => {
    const CREATE = 'mutation($input: CreateConversationsInput!) { createConversations(input: $input) { id } }';
    const { body: page } = await gw.query<{ agents: { nodes: { id: string }[] } }>('{ agents(first: 1, providers: [ORATION]) { nodes { id } } }');
    const foreignAgent = page.data!.agents.nodes[0]!.id;
    const oration = gw.demo.simulators.oration!.server;
    oration.resetStats();
    const problemsFor = async (agentId: string) => {
      const { body } = await gw.query(CREATE, { input: { conversations: [{ agentId, channel: 'CHAT' }] } }, 'acme-key');
      expect(body.data ?? null).toBeNull();
      return body.errors?.[0]?.extensions;
    };
    const asForeign = await problemsFor(foreignAgent);
    expect(asForeign).toEqual(await problemsFor(neverIssued(foreignAgent)));
    expect(asForeign).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ index: 0, field: 'conversations[0].agentId', code: 'NOT_FOUND' }] });
    expect(oration.count('POST /api/v2/conversations')).toBe(0);
    const { body: batches } = await gw.query<{ batches: { nodes: unknown[] } }>('{ batches(first: 10) { nodes { id } } }', {}, 'acme-key');
    expect(batches.data!.batches.nodes).toEqual([]);
  });

  it('a cursor of the other workspace\'s list is refused, naming `after`, not read as a position in this one', async () => {
    // Read as a position, the other workspace's `agents` cursor skipped that many of this one's (an outside trial).
    const { body: agents } = await gw.query<{ agents: { nodes: { id: string }[] } }>('{ agents(first: 1, providers: [ORATION]) { nodes { id } } }');
    await gw.query('mutation($input: CreateConversationsInput!) { createConversations(input: $input) { id } }', {
      input: { conversations: [{ agentId: agents.data!.agents.nodes[0]!.id, channel: 'CHAT' }] },
    });
    const lists = ['conversations', 'agents', 'prospects', 'batches'] as const;
    const cursors = await gw.query<Record<(typeof lists)[number], { pageInfo: { endCursor: string | null } }>>(
      `{ ${lists.map((list) => `${list}(first: 1) { pageInfo { endCursor } }`).join(' ')} }`,
    );
    const refusals = [];
    for (const list of lists) {
      const after = cursors.body.data![list].pageInfo.endCursor;
      expect([list, typeof after]).toEqual([list, 'string']);
      const asOther = await gw.query(`query($after: String) { ${list}(first: 1, after: $after) { totalCount } }`, { after }, 'acme-key');
      refusals.push([list, asOther.body.data ?? null, asOther.body.errors?.map((error) => [error.extensions?.code, error.extensions?.argument])]);
      // The workspace that issued it pages on with it.
      const asOwner = await gw.query(`query($after: String) { ${list}(first: 1, after: $after) { totalCount } }`, { after });
      expect([list, asOwner.body.errors]).toEqual([list, undefined]);
    }
    expect(refusals).toEqual(lists.map((list) => [list, null, [['BAD_USER_INPUT', 'after']]]));
  });

  it('a batch id of the other workspace is NOT_FOUND exactly like one that never existed', async () => {
    const { body: agents } = await gw.query<{ agents: { nodes: { id: string }[] } }>('{ agents(first: 1, providers: [ORATION]) { nodes { id } } }');
    const { body: created } = await gw.query<{ createConversations: { id: string } }>(
      'mutation($input: CreateConversationsInput!) { createConversations(input: $input) { id } }',
      { input: { conversations: [{ agentId: agents.data!.agents.nodes[0]!.id, channel: 'CHAT' }] } },
    );
    const id = created.data!.createConversations.id;
    const missing = neverIssued(id);
    for (const query of [
      'query($id: ID!) { batch(id: $id) { id } }',
      'query($id: ID!) { node(id: $id) { id } }',
      'mutation($id: ID!) { cancelBatch(id: $id) { id } }',
    ]) {
      const asForeign = await gw.query(query, { id }, 'acme-key');
      const asMissing = await gw.query(query, { id: missing }, 'acme-key');
      expect(asForeign.body.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND' });
      expect(asForeign.body.errors?.[0]?.message.replace(id, '<id>')).toBe(asMissing.body.errors?.[0]?.message.replace(missing, '<id>'));
    }
  });
});
