import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

/** Every connection of the graph, each asked for through the same `$first` / `$after` variables. */
const CONNECTIONS = {
  conversations: 'query($first: Int, $after: String) { parent: __typename list: conversations(first: $first, after: $after) { edges { cursor } } }',
  agents: 'query($first: Int, $after: String) { parent: __typename list: agents(first: $first, after: $after) { edges { cursor } } }',
  prospects: 'query($first: Int, $after: String) { parent: __typename list: prospects(first: $first, after: $after) { edges { cursor } } }',
  batches: 'query($first: Int, $after: String) { parent: __typename list: batches(first: $first, after: $after) { edges { cursor } } }',
  'ConversationBatch.items':
    'query($id: ID!, $first: Int, $after: String) { parent: batch(id: $id) { list: items(first: $first, after: $after) { edges { cursor } } } }',
  'Agent.conversations':
    'query($id: ID!, $first: Int, $after: String) { parent: agent(id: $id) { list: conversations(first: $first, after: $after) { edges { cursor } } } }',
  'Prospect.conversations':
    'query($id: ID!, $first: Int, $after: String) { parent: prospect(id: $id) { list: conversations(first: $first, after: $after) { edges { cursor } } } }',
} as const;
type Connection = keyof typeof CONNECTIONS;

/** A cursor each connection must refuse because another list issued it. */
const FOREIGN: Record<Connection, Connection> = {
  conversations: 'agents',
  agents: 'prospects',
  prospects: 'batches',
  batches: 'ConversationBatch.items',
  'ConversationBatch.items': 'conversations',
  'Agent.conversations': 'batches',
  'Prospect.conversations': 'ConversationBatch.items',
};

interface Page {
  parent: string | { list: { edges: { cursor: string }[] } } | null;
  list?: { edges: { cursor: string }[] };
}

describe('paging: every connection checks `first` and `after` the same way', () => {
  let gw: TestGateway;
  const logLines: string[] = [];
  const ids: Record<string, string> = {};
  const cursors = {} as Record<Connection, string>;

  const page = (connection: Connection, variables: { first?: number; after?: string }) => {
    const id = connection === 'ConversationBatch.items' ? ids.batch : connection === 'Agent.conversations' ? ids.agent : ids.prospect;
    return gw.query<Page>(CONNECTIONS[connection], { ...variables, ...(connection.includes('.') && { id }) });
  };
  const edgesOf = (data: Page | null | undefined) =>
    (typeof data?.parent === 'object' && data.parent !== null ? data.parent.list : data?.list)?.edges ?? [];

  beforeAll(async () => {
    gw = await startTestGateway({}, { logger: createLogger('debug', (line) => logLines.push(line)) });
    // An agent and a prospect with at least two conversations each, so every list has a second page.
    type WithConversations = { nodes: { id: string; conversations: { edges: unknown[] } }[] };
    const { body } = await gw.query<{ a: WithConversations; p: WithConversations }>(
      '{ a: agents(first: 5, providers: [ORATION]) { nodes { id conversations(first: 2) { edges { cursor } } } } p: prospects(first: 20) { nodes { id conversations(first: 2) { edges { cursor } } } } }',
    );
    ids.agent = body.data!.a.nodes.find((agent) => agent.conversations.edges.length === 2)!.id;
    ids.prospect = body.data!.p.nodes.find((prospect) => prospect.conversations.edges.length === 2)!.id;
    for (let i = 0; i < 2; i++) {
      const created = await gw.query<{ createConversations: { id: string } }>(
        'mutation($input: CreateConversationsInput!) { createConversations(input: $input) { id } }',
        { input: { conversations: [{ agentId: ids.agent, channel: 'CHAT' }, { agentId: ids.agent, channel: 'CHAT' }] } },
      );
      ids.otherBatch = ids.batch ?? '';
      ids.batch = created.body.data!.createConversations.id;
    }
    for (const connection of Object.keys(CONNECTIONS) as Connection[]) {
      const { body: first } = await page(connection, { first: 1 });
      expect(first.errors).toBeUndefined();
      if (edgesOf(first.data).length === 0) throw new Error(`${connection}: ${JSON.stringify(first)}`);
      cursors[connection] = edgesOf(first.data)[0]!.cursor;
    }
  });
  afterAll(async () => {
    await gw.close();
  });

  /** Sends one page request and returns its single error, checking that nothing was logged at warn or above. */
  const refusal = async (connection: Connection, variables: { first?: number; after?: string }) => {
    logLines.length = 0;
    const { status, body } = await page(connection, variables);
    expect(status).toBe(200);
    expect(body.errors).toHaveLength(1);
    const levels = logLines.map((line) => (JSON.parse(line) as { level: string }).level);
    expect(levels.filter((level) => level !== 'debug')).toEqual([]);
    return body.errors![0]!;
  };

  const connections = Object.keys(CONNECTIONS) as Connection[];

  it.each(connections)('%s: a valid cursor leads to the next page', async (connection) => {
    const { body } = await page(connection, { first: 1, after: cursors[connection] });
    expect(body.errors).toBeUndefined();
    expect(edgesOf(body.data)).toHaveLength(1);
    expect(edgesOf(body.data)[0]!.cursor).not.toBe(cursors[connection]);
  });

  it.each(connections)('%s: a tampered cursor is BAD_USER_INPUT naming `after`', async (connection) => {
    const issued = cursors[connection];
    const decoded = Buffer.from(issued, 'base64url').toString('utf8');
    const reencode = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
    // '' was read as no cursor at all: a client that lost its cursor got the first page again, forever.
    const tampered = [reencode(decoded.replace(':', ':x')), reencode(decoded.slice(0, decoded.length / 2)), 'not a cursor!', `${issued}x`, ''];
    // JSON that is no cursor of any list: not "a cursor of another list".
    tampered.push(...['[]', 'null', '{}', '42', '"k"', '{"k":7}'].map(reencode));
    // A cursor that still decodes, with its position changed to values this API never issues.
    const parsed = JSON.parse(decoded) as Record<string, unknown>;
    tampered.push(reencode(JSON.stringify(Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, key === 'k' ? value : { $gt: -1 }])))));
    // Or a lone UTF-16 surrogate as the id it resumes after, which UTF-8 would turn into U+FFFD upstream.
    if (decoded.includes('"id":')) tampered.push(reencode(decoded.replace(/"id":"[^"]*"/, '"id":"\\ud800"')));
    for (const after of tampered) {
      const error = await refusal(connection, { first: 1, after });
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'after' });
      expect(error.message).toBe('Argument "after" is not a valid cursor');
    }
  });

  it('a position past the years 0001-9999, or an offset no list reaches, is not a valid cursor', async () => {
    // t = a Date's last millisecond was INTERNAL_SERVER_ERROR on every provider, its first went
    // upstream (422), and so did an agents offset of 9e15 (a security trial).
    const forged = (position: Record<string, unknown>) => Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
    const cases: [Connection, string][] = [
      ['conversations', forged({ t: 8.64e15, n: 0, p: 'TRATA', id: 'x', k: 'conversations' })],
      ['conversations', forged({ t: -8.64e15, n: 0, p: 'TRATA', id: 'x', k: 'conversations' })],
      ['conversations', forged({ t: Date.parse('10000-01-01T00:00:00Z'), n: 0, p: 'ORATION', id: 'x', k: 'conversations' })],
      ['agents', forged({ p: 'VOICEOS', o: 9007199254740991, k: 'agents' })],
    ];
    for (const [connection, after] of cases) {
      const error = await refusal(connection, { first: 2, after });
      expect([connection, error.extensions, error.message]).toEqual([connection, { code: 'BAD_USER_INPUT', argument: 'after' }, 'Argument "after" is not a valid cursor']);
    }
  });

  it('a cursor of the same list under other arguments is BAD_USER_INPUT naming `after`; the same arguments written otherwise are the same', async () => {
    // Read as a position under another filter, a cursor skipped rows, or claimed a previous page
    // that was not there (agents: hasPreviousPage true on the first page; frontend and security trials).
    const UNDER_OTHER_ARGUMENTS = 'Argument "after" is a cursor of this list under other arguments (a filter, a parent or another API key\'s workspace): page with the arguments it came from';
    const listed = async (query: string, variables: Record<string, unknown>) => {
      const { body } = await gw.query<Record<string, { edges: { cursor: string }[] } | { list: { edges: { cursor: string }[] } }>>(query, variables);
      expect(body.errors).toBeUndefined();
      const value = Object.values(body.data ?? {})[0];
      const edges = value && 'edges' in value ? value.edges : value?.list.edges;
      return edges?.at(-1)?.cursor ?? '';
    };
    const FILTERED = 'query($after: String, $filter: ConversationFilter) { conversations(first: 2, after: $after, filter: $filter) { edges { cursor } } }';
    const trataOnly = await listed(FILTERED, { filter: { providers: ['TRATA'], statuses: ['ENDED', 'FAILED'] } });
    const refusedUnder = async (query: string, variables: Record<string, unknown>) => {
      const { body } = await gw.query(query, variables);
      return body.errors?.map((error) => [error.message, error.extensions]);
    };
    expect(await refusedUnder(FILTERED, { after: trataOnly })).toEqual([[UNDER_OTHER_ARGUMENTS, { code: 'BAD_USER_INPUT', argument: 'after' }]]);
    expect(await refusedUnder(FILTERED, { after: trataOnly, filter: { providers: ['VOICEOS'], statuses: ['ENDED', 'FAILED'] } })).toEqual([
      [UNDER_OTHER_ARGUMENTS, { code: 'BAD_USER_INPUT', argument: 'after' }],
    ]);
    // The same filter with its lists in another order, and a null beside it, is the same list.
    const same = await gw.query(FILTERED, { after: trataOnly, filter: { statuses: ['FAILED', 'ENDED'], providers: ['TRATA'], channels: null } });
    expect(same.body.errors).toBeUndefined();
    // An agent's conversations: another agent's cursor, and the root list's, are refused.
    const { body: agents } = await gw.query<{ agents: { nodes: { id: string }[] } }>('{ agents(first: 2, providers: [TRATA]) { nodes { id } } }');
    const [first, second] = agents.data!.agents.nodes;
    const AGENT = 'query($id: ID!, $after: String) { agent(id: $id) { list: conversations(first: 1, after: $after) { edges { cursor } } } }';
    const ofFirst = await listed(AGENT, { id: first!.id });
    expect(await refusedUnder(AGENT, { id: second!.id, after: ofFirst })).toEqual([[UNDER_OTHER_ARGUMENTS, { code: 'BAD_USER_INPUT', argument: 'after' }]]);
    expect(await refusedUnder(FILTERED, { after: ofFirst })).toEqual([[UNDER_OTHER_ARGUMENTS, { code: 'BAD_USER_INPUT', argument: 'after' }]]);
    // Agents: a cursor of the whole list under `providers`.
    const AGENTS = 'query($after: String, $providers: [Provider!]) { agents(first: 2, after: $after, providers: $providers) { edges { cursor } } }';
    const allAgents = await listed(AGENTS, {});
    expect(await refusedUnder(AGENTS, { after: allAgents, providers: ['VOICEOS'] })).toEqual([[UNDER_OTHER_ARGUMENTS, { code: 'BAD_USER_INPUT', argument: 'after' }]]);
    // A batch's items: another batch's cursor skipped that many of this batch's items (found from outside).
    const ITEMS = 'query($id: ID!, $after: String) { batch(id: $id) { list: items(first: 1, after: $after) { edges { cursor } } } }';
    const ofOtherBatch = await listed(ITEMS, { id: ids.otherBatch });
    expect(await refusedUnder(ITEMS, { id: ids.batch, after: ofOtherBatch })).toEqual([[UNDER_OTHER_ARGUMENTS, { code: 'BAD_USER_INPUT', argument: 'after' }]]);
    expect((await gw.query(ITEMS, { id: ids.otherBatch, after: ofOtherBatch })).body.errors).toBeUndefined();
    // A cursor of the form issued before arguments were recorded (no `s`) names no batch: refused too.
    const unscoped = Buffer.from(JSON.stringify({ i: 0, k: 'items' })).toString('base64url');
    expect(await refusedUnder(ITEMS, { id: ids.batch, after: unscoped })).toEqual([[UNDER_OTHER_ARGUMENTS, { code: 'BAD_USER_INPUT', argument: 'after' }]]);
  });

  it.each(connections)('%s: a cursor of another connection is BAD_USER_INPUT naming `after`', async (connection) => {
    const error = await refusal(connection, { first: 1, after: cursors[FOREIGN[connection]] });
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'after' });
    expect(error.message).toBe('Argument "after" is a cursor of another list');
  });

  it.each(connections)('%s: first: -1 and first above 100 are BAD_USER_INPUT naming `first`', async (connection) => {
    for (const first of [-1, 101]) {
      const error = await refusal(connection, { first });
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'first', max: 100 });
      expect(error.message).toBe('Argument "first" must be between 0 and 100');
    }
  });

  it('the batch lists count too: totalCount of the workspace\'s batches and of a batch\'s items, on every page', async () => {
    // They had none, though every other list of the API is a connection with totalCount.
    const { body } = await gw.query<{ batches: { totalCount: number }; batch: { items: { totalCount: number; edges: unknown[] } } }>(
      'query($id: ID!) { batches(first: 1) { totalCount } batch(id: $id) { items(first: 1) { totalCount edges { cursor } } } }',
      { id: ids.batch },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ batches: { totalCount: 2 }, batch: { items: { totalCount: 2, edges: [{ cursor: expect.any(String) }] } } });
    // Another workspace's batches are not counted.
    const acme = await gw.query<{ batches: { totalCount: number } }>('{ batches(first: 1) { totalCount } }', undefined, 'acme-key');
    expect(acme.body.data).toEqual({ batches: { totalCount: 0 } });
  });

  it('items(first: 400) is refused, not silently cut', async () => {
    const error = await refusal('ConversationBatch.items', { first: 400 });
    expect(error.path).toEqual(['parent', 'list']);
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'first', max: 100 });
  });
});
