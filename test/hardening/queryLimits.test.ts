import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/domain/globalId.ts';
import { DEFAULT_QUERY_LIMITS } from '../../src/limits/queryLimits.ts';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

interface ErrorBody {
  data?: unknown;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** `agent { conversations(first: 1) { edges { node { ... } } } }` nested `levels` times: 4 levels each. */
function nestedConversations(levels: number, innermost = 'id'): string {
  let selection = innermost;
  for (let i = 0; i < levels; i++) selection = `agent { conversations(first: 1) { edges { node { ${selection} } } } }`;
  return `{ conversations(first: 1) { edges { node { ${selection} } } } }`;
}

describe('query limits (defaults)', () => {
  let gw: TestGateway;
  const upstreamTotal = () =>
    Object.values(gw.demo.simulators).reduce((sum, simulator) => sum + (simulator?.server.stats().total ?? 0), 0);
  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-key', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as ErrorBody };
  };

  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(() => {
    for (const simulator of Object.values(gw.demo.simulators)) simulator?.server.resetStats();
  });

  it('accepts a query at the depth limit and refuses one level more, naming the limit', async () => {
    // 3 (outer) + 4 per level + the leaf: two levels and `id` reach exactly 12.
    const atLimit = await gw.query(nestedConversations(2, 'id'));
    expect(atLimit.body.errors).toBeUndefined();

    const tooDeep = await post({ query: nestedConversations(2, 'agent { id }') });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.errors).toEqual([
      {
        message: expect.stringMatching(/^Query depth 13 exceeds the limit of 12/),
        locations: expect.any(Array),
        extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 12, actual: 13 },
      },
    ]);
  });

  it('refuses too many aliases', async () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: agents(first: 1) { totalCount }`).join(' ');
    const { status, body } = await post({ query: `{ ${aliases} }` });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases', max: 30, actual: 31 });
    expect(body.errors?.[0]?.message).toBe('Operation uses 31 aliases; at most 30 are allowed');
    expect(upstreamTotal()).toBe(0);
  });

  it('refuses too many directives', async () => {
    const fields = Array.from({ length: 51 }, () => '__typename @skip(if: false)').join(' ');
    const { status, body } = await post({ query: `{ ${fields} }` });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'directives', max: 50, actual: 51 });
  });

  it('stops parsing a document with too many tokens', async () => {
    const { status, body } = await post({ query: `{ ${'__typename '.repeat(2100)} }` });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(body.errors?.[0]?.message).toMatch(/Document contains more tha[nt] 2000 tokens/);
  });

  it('refuses a fragment bomb: small on the wire, huge once expanded', async () => {
    const fragments = ['fragment F0 on Query { __typename }'];
    for (let i = 1; i <= 16; i++) fragments.push(`fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`);
    const { status, body } = await post({ query: `{ ...F16 } ${fragments.join(' ')}` });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors?.[0]?.message).toMatch(/selections/i);
  });

  it('refuses, before any upstream call, a query whose page sizes multiply past the cost limit', async () => {
    const query = `query($outer: Int, $inner: Int) {
      conversations(first: $outer) { edges { node { agent { conversations(first: $inner) { edges { node { id } } } } } } }
    }`;
    const { status, body } = await post({ query, variables: { outer: 100, inner: 50 } });
    expect(status).toBe(400);
    // 3 providers × 1 page (100 fit one) + 100 × (edge + node + agent lookup 2 + the agent's list,
    // filtered locally on VoiceOS: 20 pages + 50 × (edge + node))
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', max: 5000, actual: 12_403 });
    expect(body.errors?.[0]?.message).toMatch(/Query cost 12403 exceeds the limit of 5000/);
    expect(upstreamTotal()).toBe(0);

    const small = await post({ query, variables: { outer: 5, inner: 2 } });
    expect(small.status).toBe(200);
    expect(small.body.errors).toBeUndefined();
  });

  it('costs one query text by each request’s own variables and operation, however often it was admitted or refused before', async () => {
    const document = `query Wide($outer: Int, $inner: Int) {
      conversations(first: $outer) { edges { node { agent { conversations(first: $inner) { edges { node { id } } } } } } }
    }
    query Narrow($outer: Int) { conversations(first: $outer) { nodes { id } } }`;
    const wide = { query: document, operationName: 'Wide' };
    const outcomes: (string | number)[] = [];
    const outcome = async (body: object) => {
      const answer = await post(body);
      outcomes.push(answer.status === 200 ? 200 : `${answer.body.errors?.[0]?.extensions?.code} ${answer.body.errors?.[0]?.extensions?.actual}`);
    };
    await outcome({ ...wide, variables: { outer: 5, inner: 2 } });
    await outcome({ ...wide, variables: { outer: 100, inner: 50 } });
    await outcome({ ...wide, variables: { outer: 5, inner: 2 } });
    await outcome({ ...wide, variables: { outer: 100, inner: 50 } });
    await outcome({ query: document, operationName: 'Narrow', variables: { outer: 100, inner: 50 } });
    await outcome({ ...wide, variables: { outer: 100, inner: 49 } });
    expect(outcomes).toEqual([200, 'QUERY_TOO_COMPLEX 12403', 200, 'QUERY_TOO_COMPLEX 12403', 200, 'QUERY_TOO_COMPLEX 12203']);
  });

  it('answers a request whose variables nest deeper than JSON.stringify recurses (sent, not even declared)', async () => {
    // The cost limit's memo keyed requests by their variables' JSON: 5,000 levels of brackets made
    // that throw, a 500 INTERNAL_SERVER_ERROR logged with its stack, from a 10 KB request.
    const deep = `{"query":"{ __typename }","variables":{"a":${'['.repeat(5_000)}${']'.repeat(5_000)}}}`;
    expect(await post(deep)).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  it('refuses a size variable that is no Int as the input it is, not as a cost', async () => {
    // The cost was estimated from the variables as sent: 2^31 or 1e30 read as a huge page (QUERY_TOO_COMPLEX, a made-up `actual`).
    const query = 'query($first: Int) { conversations(first: $first) { nodes { id } } }';
    for (const first of [2_147_483_648, 1e30, 1.5]) {
      const { status, body } = await post({ query, variables: { first } });
      expect(status).toBe(400);
      expect(body.errors).toEqual([
        {
          message: `Variable "$first" got invalid value ${first}; Int cannot represent ${Number.isInteger(first) ? 'non 32-bit signed integer' : 'non-integer'} value: ${first}`,
          locations: [{ line: 1, column: 7 }],
          extensions: { code: 'BAD_USER_INPUT', variable: 'first' },
        },
      ]);
    }
    expect(upstreamTotal()).toBe(0);
    // An Int past the largest page is the page size's refusal, as `first: 101` written inline is, not a cost.
    const { body } = await post({ query, variables: { first: 2_147_483_647 } });
    expect(body.errors).toEqual([
      { message: 'Argument "first" must be between 0 and 100', locations: [{ line: 1, column: 22 }], path: ['conversations'], extensions: { code: 'BAD_USER_INPUT', argument: 'first', max: 100 } },
    ]);
    expect(upstreamTotal()).toBe(0);
  });

  it('refuses nodes(ids:) with more ids than the cap before any lookup, naming the argument (issue 7, finding 3)', async () => {
    const voiceOsIds = (count: number) =>
      Array.from({ length: count }, (_, i) => toGlobalId({ provider: 'VOICEOS', type: 'Conversation', nativeId: `conv-${i}` }));
    const query = 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }';
    for (const count of [101, 5_000]) {
      const { status, body } = await post({ query, variables: { ids: voiceOsIds(count) } });
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expect(body.errors).toEqual([
        {
          message: `Argument "ids" names ${count} ids; at most 100 are allowed`,
          extensions: { code: 'BAD_USER_INPUT', argument: 'ids', max: 100, actual: count },
        },
      ]);
    }
    // Literal lists and lists inside fragments are counted alike.
    const literal = `{ ...F } fragment F on Query { nodes(ids: [${voiceOsIds(101).map((id) => `"${id}"`).join(',')}]) { id } }`;
    expect((await post({ query: literal })).body.errors?.[0]?.extensions).toMatchObject({ argument: 'ids', actual: 101 });
    expect(upstreamTotal()).toBe(0);

    // At the cap the lookup runs: VoiceOS has no batch get, one request per id.
    const atCap = await post({ query, variables: { ids: voiceOsIds(100) } });
    expect(atCap.status).toBe(200);
    expect(upstreamTotal()).toBe(100);
    // The same query text (Apollo's cached document) is counted again with every request's variables.
    const again = await post({ query, variables: { ids: voiceOsIds(101) } });
    expect(again.status).toBe(400);
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ argument: 'ids', actual: 101 });
    expect(upstreamTotal()).toBe(100);
  });

  it('refuses `first` above the page size limit, naming the argument', async () => {
    const { body } = await gw.query('{ conversations(first: 101) { totalCount } }');
    expect(body.errors?.[0]).toMatchObject({
      message: 'Argument "first" must be between 0 and 100',
      extensions: { code: 'BAD_USER_INPUT', argument: 'first', max: 100 },
    });
  });

  it('refuses a body larger than the limit with 413 before parsing it', async () => {
    const { status, body } = await post({ query: `{ __typename }`, padding: 'x'.repeat(1_000_001) });
    expect(status).toBe(413);
    expect(body.errors?.[0]).toEqual({ message: 'Request body exceeds 1000000 bytes', extensions: { code: 'BAD_REQUEST' } });
  });

  it('refuses batched operations (an array of operations in one POST)', async () => {
    const { status, body } = await post([{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/batching/i);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });

  it('lets the full introspection query Apollo Sandbox sends through every limit', async () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    const { status, body } = await post({ query });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });

  it('documents its defaults', () => {
    expect(DEFAULT_QUERY_LIMITS).toEqual({
      maxDepth: 12,
      maxAliases: 30,
      maxDirectives: 50,
      maxTokens: 2000,
      maxSelections: 5000,
      maxCost: 5000,
      maxNodeIds: 100,
    });
  });
});

describe('query limits (configured through the environment)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      SWITCHBOARD_MAX_DEPTH: '4',
      SWITCHBOARD_MAX_ALIASES: '1',
      SWITCHBOARD_MAX_COST: '100',
      SWITCHBOARD_MAX_TOKENS: '40',
      SWITCHBOARD_MAX_BODY_BYTES: '500',
      SWITCHBOARD_MAX_NODE_IDS: '2',
    });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('applies each configured limit in place of the default', async () => {
    const depth = await gw.query('{ conversations(first: 1) { edges { node { agent { id } } } } }');
    expect(depth.body.errors?.[0]?.extensions).toMatchObject({ limit: 'depth', max: 4, actual: 5 });

    const aliases = await gw.query('{ a: agents(first: 1) { totalCount } b: agents(first: 1) { totalCount } }');
    expect(aliases.body.errors?.[0]?.extensions).toMatchObject({ limit: 'aliases', max: 1, actual: 2 });

    const cost = await gw.query('{ conversations(first: 50) { edges { node { id } } } }');
    expect(cost.body.errors?.[0]?.extensions).toMatchObject({ limit: 'cost', max: 100, actual: 103 });

    const ids = await gw.query('{ nodes(ids: ["a", "b", "c"]) { id } }');
    expect(ids.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'ids', max: 2, actual: 3 });

    const tokens = await gw.query(`{ ${'__typename '.repeat(41)} }`);
    expect(tokens.body.errors?.[0]?.message).toMatch(/more tha[nt] 40 tokens/);

    const body = await gw.query(`{ __typename } # ${'x'.repeat(600)}`);
    expect(body.status).toBe(413);

    const fine = await gw.query('{ conversations(first: 5) { edges { node { id } } } }');
    expect(fine.body.errors).toBeUndefined();
  });
});
