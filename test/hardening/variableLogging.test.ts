import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatGatewayError } from '../../src/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { errorLoggingPlugin } from '../../src/plugins/errorLoggingPlugin.ts';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

/** Looks like a credential a client put in a variable by mistake; none of the logger's patterns knows it. */
const PLANTED = 'sk_live_PLANTED_7f3a9c21e5';

/**
 * Variables are the client's data: a phone number, a name, sometimes a secret pasted in the wrong
 * field. Even at LOG_LEVEL=debug, where every refused request is logged, no line may carry one.
 */
describe('no log line carries a variable value, at any level', () => {
  let gw: TestGateway;
  let agentId: string;
  const lines: string[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({}, { logger: createLogger('debug', (line) => lines.push(line)) });
    const { body } = await gw.query<{ agents: { nodes: { id: string }[] } }>('{ agents(first: 1, providers: [ORATION]) { nodes { id } } }');
    agentId = body.data!.agents.nodes[0]!.id;
  });
  afterAll(async () => {
    await gw.close();
  });

  const CREATE = 'mutation($input: CreateConversationsInput!) { createConversations(input: $input) { id } }';
  it.each([
    ['an Int that is not a number', 'query($n: Int) { conversations(first: $n) { totalCount } }', () => ({ n: PLANTED })],
    ['an enum value that does not exist', 'query($s: [ConversationStatus!]) { conversations(filter: { statuses: $s }) { totalCount } }', () => ({ s: [PLANTED] })],
    ['a DateTime that is not one', 'query($t: DateTime) { conversations(filter: { createdAfter: $t }) { totalCount } }', () => ({ t: PLANTED })],
    ['a JSONObject that is not an object', CREATE, () => ({ input: { conversations: [{ agentId, channel: 'CHAT', dynamicVariables: PLANTED }] } })],
    ['a required variable of the wrong shape', CREATE, () => ({ input: { conversations: PLANTED, idempotencyKey: PLANTED } })],
    ['an id that does not exist', 'query($id: ID!) { node(id: $id) { id } }', () => ({ id: PLANTED })],
    ['a cursor this API never issued', 'query($a: String) { agents(after: $a) { totalCount } }', () => ({ a: PLANTED })],
    ['a null for a defaulted variable where a value is required', `query($id: ID = "x", $on: Boolean = true) { node(id: $id) { id } a: agents(first: 1) @include(if: $on) { totalCount } }`, () => ({ id: null, on: null })],
    ['a refused batch', CREATE, () => ({ input: { conversations: [{ agentId: PLANTED, channel: 'CHAT', dynamicVariables: { [PLANTED]: PLANTED } }] } })],
  ])('%s: refused, logged at debug without the value', async (_, query, variables) => {
    lines.length = 0;
    const { body } = await gw.query(query, variables());
    expect(body.errors?.length).toBeGreaterThan(0);
    const logged = lines.map((line) => JSON.parse(line) as { level: string; message: string });
    expect(logged.filter((entry) => entry.message === 'request refused').length).toBeGreaterThan(0);
    expect(lines.filter((line) => line.includes(PLANTED))).toEqual([]);
  });

  it('variables nested thousands deep: the document error is still a 400 with its code, logged without them', async () => {
    // The scrubber walked the variables recursively: the stack overflowed and a parse or validation error became a 500.
    lines.length = 0;
    // Written as text: JSON.stringify itself overflows at this depth.
    const deep = (depth: number) => `${'['.repeat(depth)}"${PLANTED}"${']'.repeat(depth)}`;
    for (const query of ['{ nope }', '{ conversations(']) {
      const response = await fetch(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer demo-key' },
        body: `{"query":${JSON.stringify(query)},"variables":{"x":${deep(20_000)},"y":{"nested":${deep(5_000)}}}}`,
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors.map((error) => error.extensions.code)).toEqual([query === '{ nope }' ? 'GRAPHQL_VALIDATION_FAILED' : 'GRAPHQL_PARSE_FAILED']);
    }
    expect(lines.filter((line) => line.includes('"level":"error"') || line.includes(PLANTED))).toEqual([]);
  });

  it('a reused idempotency key: the conflict is logged without the key', async () => {
    const input = (note: string) => ({ conversations: [{ agentId, channel: 'CHAT', dynamicVariables: { note } }], idempotencyKey: PLANTED });
    expect((await gw.query(CREATE, { input: input('first') })).body.errors).toBeUndefined();
    lines.length = 0;
    const { body } = await gw.query(CREATE, { input: input('second') });
    expect(body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(lines).toHaveLength(1);
    expect(lines.filter((line) => line.includes(PLANTED))).toEqual([]);
  });
});

describe('an unexpected error that quotes a variable', () => {
  it('is logged at error with its message and stack, the value scrubbed from both', async () => {
    const lines: string[] = [];
    const server = new ApolloServer({
      typeDefs: 'type Query { lookup(key: String!, note: JSON): String } scalar JSON',
      resolvers: {
        Query: {
          lookup: (_: unknown, { key }: { key: string }) => {
            throw new TypeError(`invalid input syntax for type uuid: "${key}"`);
          },
        },
      },
      includeStacktraceInErrorResponses: false,
      formatError: formatGatewayError,
      plugins: [errorLoggingPlugin(createLogger('debug', (line) => lines.push(line)))],
    });
    await server.executeOperation({
      query: 'query($key: String!, $note: JSON) { lookup(key: $key, note: $note) }',
      variables: { key: PLANTED, note: { nested: [`quoted "${PLANTED}"`] } },
    });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as Record<string, string>;
    expect(entry).toMatchObject({ level: 'error', path: 'lookup', reason: 'invalid input syntax for type uuid: "[variable]"' });
    expect(entry.stack).toMatch(/^TypeError: invalid input syntax for type uuid: "\[variable\]"\n/);
    expect(lines[0]).not.toContain(PLANTED);
    await server.stop();
  });
});
