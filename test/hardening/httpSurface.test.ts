import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

interface Body {
  data?: unknown;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

const upstreamTotal = (gw: TestGateway) =>
  Object.values(gw.demo.simulators).reduce((sum, simulator) => sum + (simulator?.server.stats().total ?? 0), 0);

// Two gateways for the whole file (each start costs a store): the demo/development configuration
// and a production one.
let development: TestGateway;
let production: TestGateway;
beforeAll(async () => {
  [development, production] = await Promise.all([
    startTestGateway({}, { gateway: { introspection: true, includeStacktrace: false } }),
    startTestGateway({}, { gateway: { introspection: false, includeStacktrace: false } }),
  ]);
});
afterAll(async () => {
  await Promise.all([development.close(), production.close()]);
});

describe('CSRF prevention', () => {
  const auth = { authorization: 'Bearer demo-key' };
  const CSRF_MESSAGE = /blocked as a potential Cross-Site Request Forgery/;

  it.each([
    ['text/plain', JSON.stringify({ query: '{ agents(first: 1) { totalCount } }' })],
    ['application/x-www-form-urlencoded', 'query=%7B__typename%7D'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{__typename}\r\n--x--'],
  ])('refuses a POST a browser could send cross-site without preflight (%s)', async (contentType, body) => {
    for (const simulator of Object.values(development.demo.simulators)) simulator?.server.resetStats();
    const response = await fetch(development.url, { method: 'POST', headers: { ...auth, 'content-type': contentType }, body });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(CSRF_MESSAGE);
    expect(upstreamTotal(development)).toBe(0);
  });

  it('refuses a GET query without a preflight-forcing header, and runs it with one', async () => {
    const url = `${development.url}?query=${encodeURIComponent('{ agents(first: 1) { totalCount } }')}`;
    const simple = await fetch(url, { headers: auth });
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(CSRF_MESSAGE);

    const preflighted = await fetch(url, { headers: { ...auth, 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(200);
    expect(((await preflighted.json()) as Body).errors).toBeUndefined();
  });

  it('never runs a mutation over GET', async () => {
    const url = `${development.url}?query=${encodeURIComponent('mutation { cancelBatch(id: "x") { id } }')}`;
    const response = await fetch(url, { headers: { ...auth, 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('introspection, Sandbox and stack traces', () => {
  const landingPage = (gw: TestGateway) => fetch(gw.url, { headers: { accept: 'text/html' } });

  it('serves introspection and the Sandbox landing page when enabled (demo and development)', async () => {
    const { body } = await development.query<{ __schema: { queryType: { name: string } } }>('{ __schema { queryType { name } } }');
    expect(body.data?.__schema.queryType.name).toBe('Query');
    const page = await landingPage(development);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/sandbox/i);
  });

  it('says its answers vary by Accept (the landing page, its 404 or GraphQL from one URL)', async () => {
    // A cache keyed on the URL alone served a browser's landing page to a GraphQL client, or back (an outside trial).
    const varyOf = (response: Response) => (response.headers.get('vary') ?? '').split(/\s*,\s*/).map((name) => name.toLowerCase());
    const get = (gw: TestGateway, search: string, accept: string) => fetch(`${gw.url}${search}`, { headers: { accept, 'apollo-require-preflight': 'true', authorization: 'Bearer demo-key' } });
    const answers = [
      await landingPage(development),
      await landingPage(production),
      await get(development, `?query=${encodeURIComponent('{ __typename }')}`, 'application/graphql-response+json'),
      await get(production, '', 'application/json'),
      await fetch(development.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer demo-key' }, body: JSON.stringify({ query: '{ __typename }' }) }),
    ];
    expect(answers.map((response) => [response.status, varyOf(response).includes('accept')])).toEqual([
      [200, true],
      [404, true],
      [200, true],
      [400, true],
      [200, true],
    ]);
  });

  it('refuses introspection naming the setting, and answers the explorers 404, when disabled (SWITCHBOARD_INTROSPECTION=false)', async () => {
    // Apollo's own refusal told the client to "pass introspection: true to ApolloServer"; a browser's GET was a 400 CSRF refusal.
    for (const [query, field] of [['{ __schema { queryType { name } } }', '__schema'], ['{ __type(name: "Conversation") { name } }', '__type']] as const) {
      const { status, body } = await production.query(query);
      expect(status).toBe(400);
      expect(body.errors).toEqual([
        {
          message: `Introspection is off on this gateway, so "${field}" is refused; its operator turns it on with SWITCHBOARD_INTROSPECTION=true.`,
          locations: [{ line: 1, column: 3 }],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ]);
    }
    const EXPLORERS_OFF = {
      errors: [
        {
          message: 'No explorer here: Apollo Sandbox (/graphql in a browser) and GraphiQL (/graphiql) are served only where introspection is on (SWITCHBOARD_INTROSPECTION=true). The API is at /graphql.',
          extensions: { code: 'NOT_FOUND' },
        },
      ],
    };
    for (const response of [await landingPage(production), await fetch(production.url.replace('/graphql', '/graphiql'), { headers: { accept: 'text/html' } })]) {
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual(EXPLORERS_OFF);
    }
    // A GET that carries a query is still GraphQL over GET (with its CSRF rules).
    const get = await fetch(`${production.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'text/html, application/json', 'apollo-require-preflight': 'true', authorization: 'Bearer demo-key' } });
    expect(await get.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('suggests no field, argument, input field or enum value the client did not name where introspection is off', async () => {
    // "Did you mean "conversation" or "conversations"?" let a client read the schema the setting hides (a security trial).
    const probes: [string, Record<string, unknown>?][] = [
      ['{ conversatio { id } }'],
      ['{ conversations(firs: 1) { totalCount } }'],
      ['{ conversations(filter: { providers: [ORATIO] }) { totalCount } }'],
      ['{ conversations(filter: { provider: [ORATION] }) { totalCount } }'],
      ['query($f: ConversationFilter) { conversations(filter: $f) { totalCount } }', { f: { providers: ['ORATIO'] } }],
    ];
    for (const [query, variables] of probes) {
      const [off, on] = await Promise.all([production.query(query, variables), development.query(query, variables)]);
      expect([query, off.body.errors?.length]).toEqual([query, 1]);
      expect([query, off.body.errors?.[0]?.message]).not.toEqual([query, expect.stringContaining('Did you mean')]);
      // Where introspection is on, the suggestion helps and stays.
      expect([query, on.body.errors?.[0]?.message]).toEqual([query, expect.stringContaining('Did you mean')]);
    }
  });

  it('puts no stack trace in any error a production gateway answers', async () => {
    const production400s = [
      '{ conversations(first: 1) { edges { node { nope } } } }',
      '{ conversations(first: ',
      '{ conversations(first: 1000) { totalCount } }',
      '{ conversation(id: "not-an-id") { id } }',
    ];
    production.demo.simulators.trata!.server.setFault('*', { kind: 'status', status: 500 });
    const responses = await Promise.all([...production400s, '{ conversations(first: 5) { totalCount } }'].map((q) => production.query(q)));
    production.demo.simulators.trata!.server.clearFaults();
    const codes = responses.flatMap((r) => r.body.errors ?? []).map((e) => e.extensions?.code);
    expect(codes).toEqual(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_USER_INPUT', 'NOT_FOUND', 'PROVIDER_UNAVAILABLE']);
    for (const response of responses) expect(JSON.stringify(response.body)).not.toMatch(/stacktrace|\bat .*\.ts:\d+/);
  });
});
