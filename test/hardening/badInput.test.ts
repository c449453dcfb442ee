import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/domain/globalId.ts';
import type { Provider } from '../../src/domain/types.ts';
import { createLogger } from '../../src/logger.ts';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

interface Body {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

describe('bad input: each gets a clear error naming what is wrong', () => {
  let gw: TestGateway;
  const logLines: string[] = [];
  const post = async (body: string | object, contentType = 'application/json') => {
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: 'Bearer demo-key' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Body };
  };
  const upstream = () => Object.fromEntries(Object.entries(gw.demo.simulators).map(([name, s]) => [name, s!.server.stats().requests]));

  beforeAll(async () => {
    gw = await startTestGateway({}, { logger: createLogger('debug', (line) => logLines.push(line)) });
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(() => {
    for (const simulator of Object.values(gw.demo.simulators)) simulator?.server.resetStats();
  });

  it('malformed GraphQL: GRAPHQL_PARSE_FAILED with the position of the mistake', async () => {
    const { status, body } = await post({ query: '{ conversations(first: 5 { totalCount } }' });
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      {
        message: 'Syntax Error: Expected Name, found "{".',
        locations: [{ line: 1, column: 26 }],
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      },
    ]);
  });

  it.each([
    ['a body that is not JSON', '{"query": "{ __typename }"', /not valid JSON/],
    ['an empty object', {}, /JSON object has no keys/],
    ['no query', { variables: {} }, /must contain a non-empty `query`/],
    ['a query that is not a string', { query: 42 }, /GraphQL queries must be strings/],
    ['variables that are not an object', { query: '{ __typename }', variables: 'x' }, /variables.*object/i],
  ])('a malformed request (%s): 400 BAD_REQUEST', async (_, body, message) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(response.body.errors?.[0]?.message).toMatch(message);
  });

  it('wrong variable types: BAD_USER_INPUT naming the variable and the expected type', async () => {
    const { status, body } = await post({
      query: 'query($n: Int, $since: DateTime) { conversations(first: $n, filter: { createdAfter: $since }) { totalCount } }',
      variables: { n: 'ten', since: 'yesterday\u0000' },
    });
    expect(status).toBe(400);
    const messages = body.errors?.map((e) => e.message) ?? [];
    expect(body.errors?.every((e) => e.extensions?.code === 'BAD_USER_INPUT')).toBe(true);
    expect(messages[0]).toMatch(/^Variable "\$n" got invalid value "ten"; Int cannot represent non-integer value/);
    expect(messages[1]).toMatch(/^Variable "\$since" got invalid value/);
    expect(Object.values(upstream()).every((requests) => Object.keys(requests).length === 0)).toBe(true);
  });

  it('unknown fields, arguments and enum values: GRAPHQL_VALIDATION_FAILED naming each', async () => {
    const { status, body } = await post({
      query: '{ conversations(first: 5, sort: NEWEST, filter: { statuses: [RINGING] }) { edges { node { id secret } } } }',
    });
    expect(status).toBe(400);
    expect(body.errors?.every((e) => e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED')).toBe(true);
    const messages = body.errors!.map((e) => e.message).join('\n');
    expect(messages).toContain('Unknown argument "sort" on field "Query.conversations".');
    expect(messages).toContain('Value "RINGING" does not exist in "ConversationStatus" enum.');
    expect(messages).toContain('Cannot query field "secret" on type "Conversation".');
  });

  it('an operation name that does not exist, or none among several: OPERATION_RESOLUTION_FAILURE', async () => {
    const twoOperations = 'query A { __typename } query B { __typename }';
    const unknown = await post({ query: twoOperations, operationName: 'C' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]).toMatchObject({ message: 'Unknown operation named "C".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } });
    const ambiguous = await post({ query: twoOperations });
    expect(ambiguous.body.errors?.[0]?.message).toBe('Must provide operation name if query contains multiple operations.');
  });

  it('a query nested thousands of levels deep stops at the parser, not the stack', async () => {
    const { status, body } = await post({ query: `${'{ a '.repeat(5000)}${'}'.repeat(5000)}` });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(body.errors?.[0]?.message).toMatch(/Document contains more tha[nt] 2000 tokens/);
  });

  it('ids with control characters, injection attempts or path tricks are NOT_FOUND, and never reach another endpoint', async () => {
    const { body: page } = await gw.query<{ conversations: { edges: { node: { provider: Provider; nativeId: string } }[] } }>(
      '{ conversations(first: 30) { edges { node { provider nativeId } } } }',
    );
    const trataIds = page.data!.conversations.edges.filter((e) => e.node.provider === 'TRATA').map((e) => e.node.nativeId);
    expect(trataIds.length).toBeGreaterThan(1);
    for (const simulator of Object.values(gw.demo.simulators)) simulator?.server.resetStats();

    const nativeIds = [
      '.',
      '..',
      '../agents',
      '..%2Fagents',
      'x?ids=1&limit=100',
      `${trataIds[0]},${trataIds[1]}`,
      "' OR 1=1; --",
      '\u0000\u001b[31m\r\n{"level":"error","message":"forged"}',
      '$where: { $ne: null }',
    ];
    const ids = (['ORATION', 'TRATA', 'VOICEOS'] as const).flatMap((provider) =>
      nativeIds.map((nativeId) => toGlobalId({ provider, type: 'Conversation', nativeId })),
    );
    const { body } = await gw.query<{ nodes: unknown[] }>('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
    expect(body.data?.nodes).toEqual(ids.map(() => null));
    expect(body.errors).toHaveLength(ids.length);
    for (const error of body.errors!) {
      expect(error.extensions?.code).toBe('NOT_FOUND');
      // An id naming NUL is not one the gateway issues (no store keeps NUL): not even a conversation's.
      expect(error.message).toMatch(/^No (conversation|node) with id "/);
    }
    // Only conversation lookups went upstream: no id reached an agent or prospect endpoint, nor
    // (`.` resolved as a dot segment: GET /v1/conversations/. is VoiceOS's list) a list.
    for (const requests of Object.values(upstream())) {
      expect(Object.keys(requests).every((endpoint) => endpoint.includes('/conversations'))).toBe(true);
    }
    expect(gw.demo.simulators.voiceos!.server.count('GET /v1/conversations')).toBe(0);
    for (const nativeId of ['.', '..']) {
      gw.demo.simulators.voiceos!.server.resetStats();
      const { body: agentAnswer } = await gw.query('query($id: ID!) { node(id: $id) { id } }', { id: toGlobalId({ provider: 'VOICEOS', type: 'Agent', nativeId }) });
      expect(agentAnswer.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
      expect(gw.demo.simulators.voiceos!.server.stats().requests).toEqual({});
    }
    // A control character in input cannot forge a log entry: every line is one JSON object.
    for (const line of logLines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(logLines.some((line) => (JSON.parse(line) as { message: string }).message === 'forged')).toBe(false);
  });

  it('a huge list of ids is refused by the ids cap before any upstream call', async () => {
    const ids = Array.from({ length: 6000 }, (_, i) => toGlobalId({ provider: 'TRATA', type: 'Conversation', nativeId: `c${i}` }));
    const { status, body } = await post({ query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', variables: { ids } });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'ids', max: 100, actual: 6000 });
    expect(Object.values(upstream()).every((requests) => Object.keys(requests).length === 0)).toBe(true);
  });

  describe('createConversations input', () => {
    const CREATE = 'mutation($input: CreateConversationsInput!) { createConversations(input: $input) { id counts { total } } }';
    let agentId: string;
    const batchCount = async () => {
      const { body } = await gw.query<{ batches: { nodes: unknown[] } }>('{ batches(first: 100) { nodes { id } } }');
      return body.data!.batches.nodes.length;
    };
    const creates = () => gw.demo.simulators.oration!.server.count('POST /api/v2/conversations');

    beforeAll(async () => {
      const { body } = await gw.query<{ agents: { nodes: { id: string }[] } }>('{ agents(first: 1, providers: [ORATION]) { nodes { id } } }');
      agentId = body.data!.agents.nodes[0]!.id;
    });

    it('a huge batch is refused whole, naming the limit, with nothing stored or sent', async () => {
      const before = await batchCount();
      const conversations = Array.from({ length: 1001 }, () => ({ agentId, channel: 'CHAT' }));
      const { body } = await gw.query(CREATE, { input: { conversations } });
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.[0]?.extensions).toEqual({
        code: 'BAD_USER_INPUT',
        problems: [{ index: null, field: 'conversations', message: 'holds 1001 conversations; at most 1000 per batch', code: 'INVALID' }],
      });
      expect(await batchCount()).toBe(before);
      expect(creates()).toBe(0);
    });

    it('control characters in variable names are refused, naming the item and field', async () => {
      const before = await batchCount();
      const { body } = await gw.query(CREATE, {
        input: { conversations: [{ agentId, channel: 'CHAT' }, { agentId, channel: 'CHAT', dynamicVariables: { 'name\u0007': 'x' } }] },
      });
      expect(body.errors?.[0]?.extensions?.problems).toEqual([
        { index: 1, field: 'conversations[1].dynamicVariables', message: 'variable names must not contain control characters', code: 'INVALID' },
      ]);
      expect(await batchCount()).toBe(before);
      expect(creates()).toBe(0);
    });

    it('injection attempts in variable values are stored and passed on as plain data', async () => {
      const dynamicVariables = { sql: "'); DROP TABLE batches; --", template: '{{system_prompt}}', bidi: '\u202egnp.exe', json: '{"$ne": null}' };
      const { body } = await gw.query<{ createConversations: { id: string } }>(CREATE, {
        input: { conversations: [{ agentId, channel: 'CHAT', dynamicVariables }], waitSeconds: 10 },
      });
      expect(body.errors).toBeUndefined();
      const { body: batch } = await gw.query<{ batch: { items: { nodes: { conversation: { dynamicVariables: Record<string, unknown> } | null }[] } } }>(
        'query($id: ID!) { batch(id: $id) { items(first: 1) { nodes { conversation { dynamicVariables } } } } }',
        { id: body.data!.createConversations.id },
      );
      expect(batch.data!.batch.items.nodes[0]!.conversation!.dynamicVariables).toMatchObject(dynamicVariables);
      // The batches table is still there and answers.
      expect(await batchCount()).toBeGreaterThan(0);
    });

    it('a destination two items of one batch call is refused, naming both, with nothing stored or sent', async () => {
      // Both were dialed: the same number twice, and a number and its copy with a trailing newline (a security trial).
      const before = await batchCount();
      const { body } = await gw.query<unknown>(CREATE, {
        input: {
          conversations: [
            { agentId, channel: 'PHONE_OUTBOUND', toNumber: '+14155550188' },
            { agentId, channel: 'PHONE_OUTBOUND', toNumber: '+14155550189' },
            { agentId, channel: 'PHONE_OUTBOUND', toNumber: '+14155550188' },
            { agentId, channel: 'PHONE_OUTBOUND', toNumber: '+14155550189\n' },
            { agentId, channel: 'PHONE_OUTBOUND', sipTrunkAddress: 'sip:ana@example.com' },
            { agentId, channel: 'PHONE_OUTBOUND', sipTrunkAddress: 'sip:ana@example.com' },
            { agentId, channel: 'CHAT' },
            { agentId, channel: 'CHAT' },
          ],
        },
      });
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(body.errors?.[0]?.extensions?.problems).toEqual([
        { index: 2, field: 'conversations[2].toNumber', message: 'calls the same number as conversations[0]: a batch dials each destination once', code: 'INVALID' },
        { index: 3, field: 'conversations[3].toNumber', message: 'calls the same number as conversations[1]: a batch dials each destination once', code: 'INVALID' },
        { index: 5, field: 'conversations[5].sipTrunkAddress', message: 'calls the same address as conversations[4]: a batch dials each destination once', code: 'INVALID' },
      ]);
      expect(await batchCount()).toBe(before);
      expect(creates()).toBe(0);
    });

    it('a NUL character in a SIP address or an agent id is BAD_USER_INPUT naming the field, and stores nothing', async () => {
      // Both reached PostgreSQL, which refused them: INTERNAL_SERVER_ERROR and an error line (a security trial).
      const before = await batchCount();
      const forgedAgent = Buffer.from('sb1:ORATION:Agent:a\u0000b', 'utf8').toString('base64url');
      const { body } = await gw.query<unknown>(CREATE, {
        input: {
          conversations: [
            { agentId, channel: 'PHONE_OUTBOUND', sipTrunkAddress: 'sip:a\u0000b@example.com' },
            { agentId: forgedAgent, channel: 'CHAT' },
          ],
        },
      });
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      const problems = (body.errors?.[0]?.extensions?.problems ?? []) as { field: string }[];
      expect(problems.map((problem) => problem.field)).toEqual(['conversations[0].sipTrunkAddress', 'conversations[1].agentId']);
      expect(await batchCount()).toBe(before);
      expect(creates()).toBe(0);
    });

    it('a NUL character in a variable value stores nothing and sends nothing', async () => {
      const before = await batchCount();
      const { body } = await gw.query(CREATE, {
        input: { conversations: [{ agentId, channel: 'CHAT' }, { agentId, channel: 'CHAT', dynamicVariables: { note: 'a\u0000b' } }] },
      });
      expect(body.data ?? null).toBeNull();
      expect(body.errors).toHaveLength(1);
      expect(await batchCount()).toBe(before);
      expect(creates()).toBe(0);
    });

    // PostgreSQL's jsonb refuses NUL, so validation must name it before anything is stored.
    it('a NUL character in a variable value is refused as BAD_USER_INPUT naming the field', async () => {
      const { body } = await gw.query(CREATE, {
        input: { conversations: [{ agentId, channel: 'CHAT', dynamicVariables: { note: 'a\u0000b' } }] },
      });
      expect(body.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        problems: [expect.objectContaining({ index: 0, field: 'conversations[0].dynamicVariables.note' })],
      });
    });
  });
});
