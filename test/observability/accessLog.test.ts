import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { sendUnfinished } from '../hardening/rawHttp.ts';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LIST = 'query ListConversations { conversations(first: 50) { totalCount edges { node { id agent { name } prospect { name } } } } }';

interface AccessLine {
  level: string;
  time: string;
  message: string;
  requestId: string;
  durationMs: number;
  [field: string]: unknown;
}

describe('access log: one line per operation', () => {
  let gw: TestGateway;
  const lines: string[] = [];
  const accessLines = () => lines.map((line) => JSON.parse(line) as AccessLine).filter((entry) => entry.message === 'graphql operation');
  /** The line is written when the answer is done, a moment after the client has read it. */
  const accessLineOf = async (requestId: string): Promise<AccessLine> => {
    for (let i = 0; i < 100; i++) {
      const found = accessLines().filter((entry) => entry.requestId === requestId);
      if (found.length > 0) {
        expect(found).toHaveLength(1);
        return found[0]!;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no access line for ${requestId}`);
  };
  const post = (query: string, headers: Record<string, string> = {}) =>
    fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer acme-key', ...headers },
      body: JSON.stringify({ query }),
    });

  beforeAll(async () => {
    gw = await startTestGateway({ SWITCHBOARD_UPSTREAM_RETRIES: '0' }, { accessLogger: createLogger('info', (line) => lines.push(line), { secrets: ['acme-key'] }) });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('names the operation, its outcome, duration, workspace, request id and upstream requests; the caller\'s request id is kept and answered', async () => {
    const response = await post(LIST, { 'x-request-id': 'req-42' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-42');
    const { time, durationMs, ...line } = await accessLineOf('req-42');
    expect(line).toEqual({
      level: 'info',
      message: 'graphql operation',
      requestId: 'req-42',
      operation: 'ListConversations',
      operationType: 'query',
      outcome: 'success',
      status: 200,
      workspace: 'acme',
      upstreamRequests: 7,
      upstream: { ORATION: 2, TRATA: 3, VOICEOS: 2 },
    });
    expect(typeof durationMs).toBe('number');
    expect(durationMs).toBeGreaterThan(0);
    expect(new Date(time).toISOString()).toBe(time);
  });

  it('gives a request without an id (or with one that does not fit a header and a log line) a fresh one, and answers with it', async () => {
    for (const given of [undefined, 'has spaces in it', 'x'.repeat(129)]) {
      const response = await post('{ agents(first: 1, providers: [ORATION]) { totalCount } }', given === undefined ? {} : { 'x-request-id': given });
      const requestId = response.headers.get('x-request-id')!;
      expect(requestId).toMatch(UUID);
      const line = await accessLineOf(requestId);
      expect([line.operation, line.outcome, line.upstreamRequests, line.upstream]).toEqual(['anonymous', 'success', 1, { ORATION: 1 }]);
    }
  });

  it('counts upstream requests per request, even when requests overlap', async () => {
    const [oration, all] = await Promise.all([
      post('query OnlyOration { conversations(first: 5, filter: { providers: [ORATION] }) { totalCount } }', { 'x-request-id': 'overlap-1' }),
      post('query Everyone { conversations(first: 5) { totalCount } }', { 'x-request-id': 'overlap-2' }),
    ]);
    expect([oration.status, all.status]).toEqual([200, 200]);
    expect((await accessLineOf('overlap-1')).upstream).toEqual({ ORATION: 1 });
    expect((await accessLineOf('overlap-2')).upstream).toEqual({ ORATION: 1, TRATA: 1, VOICEOS: 1 });
  });

  it('logs a plain OPTIONS on /graphql and answers its request id, as every other request', async () => {
    // It was answered before the request was observed: no line, no x-request-id.
    const response = await fetch(gw.url, { method: 'OPTIONS', headers: { 'x-request-id': 'options-1' } });
    expect([response.status, response.headers.get('allow'), response.headers.get('x-request-id')]).toEqual([204, 'GET, HEAD, POST, OPTIONS', 'options-1']);
    expect(await accessLineOf('options-1')).toMatchObject({ status: 204, operation: null });
  });

  it('logs a partial answer with its error codes, and a refused request with no workspace', async () => {
    gw.demo.simulators.voiceos!.server.setFault('*', { kind: 'status', status: 503, times: 1 });
    await post('query Partial { conversations(first: 5) { totalCount } }', { 'x-request-id': 'partial-1' });
    expect(await accessLineOf('partial-1')).toMatchObject({
      operation: 'Partial',
      outcome: 'partial',
      status: 200,
      errorCodes: ['PROVIDER_UNAVAILABLE'],
      upstream: { ORATION: 1, TRATA: 1, VOICEOS: 1 },
    });

    const refused = await post(LIST, { 'x-request-id': 'refused-1', authorization: 'Bearer wrong-key-0123456789' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-request-id')).toBe('refused-1');
    const { time: _t, durationMs: _d, ...line } = await accessLineOf('refused-1');
    expect(line).toEqual({
      level: 'info',
      message: 'graphql operation',
      requestId: 'refused-1',
      operation: null,
      operationType: null,
      outcome: 'error',
      status: 401,
      workspace: null,
      upstreamRequests: 0,
      upstream: {},
      errorCodes: ['UNAUTHENTICATED'],
    });

    // Refused before Apollo with a valid key: the line has the refusal's code and the workspace.
    // (Neither was there: alerts on errorCodes missed every refusal made before Apollo.)
    const notJson = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer acme-key', 'x-request-id': 'not-json-1' },
      body: '{ not json',
    });
    expect(notJson.status).toBe(400);
    expect(await accessLineOf('not-json-1')).toMatchObject({ outcome: 'error', status: 400, workspace: 'acme', errorCodes: ['BAD_REQUEST'] });
    const twoKeys = await post(LIST, { 'x-request-id': 'two-keys-1', 'x-api-key': 'demo-key' });
    expect(twoKeys.status).toBe(400);
    expect(await accessLineOf('two-keys-1')).toMatchObject({ outcome: 'error', status: 400, workspace: null, errorCodes: ['BAD_REQUEST'] });
    // Apollo's own refusals (here CSRF prevention, a batch): the codes of its answer.
    const refusedByApollo = [
      await post(LIST, { 'x-request-id': 'csrf-1', 'content-type': 'text/plain' }),
      await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer acme-key', 'x-request-id': 'batch-1' }, body: JSON.stringify([{ query: LIST }]) }),
    ];
    expect(refusedByApollo.map((response) => response.status)).toEqual([400, 400]);
    for (const requestId of ['csrf-1', 'batch-1']) expect((await accessLineOf(requestId)).errorCodes).toEqual(['BAD_REQUEST']);
    // A method /graphql does not serve is refused before Apollo, and logged with its code.
    const put = await fetch(gw.url, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: 'Bearer acme-key', 'x-request-id': 'put-1' }, body: '{}' });
    expect(put.status).toBe(405);
    expect((await accessLineOf('put-1')).errorCodes).toEqual(['METHOD_NOT_ALLOWED']);
  });

  it('writes no graphql operation line for health checks and scrapes, and never a key', async () => {
    const before = accessLines().length;
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await fetch(gw.url.replace(/\/graphql$/, path))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(accessLines().length).toBe(before);
    expect(lines.filter((line) => line.includes('acme-key') || line.includes('wrong-key-0123456789'))).toEqual([]);
  });
});

describe('access log: routes beside GraphQL', () => {
  let gw: TestGateway;
  const lines: string[] = [];
  const routeLines = () =>
    lines
      .map((line) => JSON.parse(line) as AccessLine)
      .filter((entry) => entry.message === 'http request')
      .map(({ time: _time, durationMs: _duration, requestId: _id, ...line }) => line);
  const origin = () => new URL(gw.url).origin;

  beforeAll(async () => {
    gw = await startTestGateway({}, { accessLogger: createLogger('debug', (line) => lines.push(line)) });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('logs each as "http request" with its route, never the raw path; probes and scrapes at debug', async () => {
    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${origin()}${path}`, { headers });
    expect((await get('/metrics')).status).toBe(200);
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/webhooks/oration/secret-endpoint-token')).status).toBe(405);
    expect((await get('/exports/conversations.csv', { authorization: 'Bearer demo-key' })).status).toBe(200);
    expect((await get('/no/such/secret-path')).status).toBe(404);
    for (let i = 0; i < 100 && routeLines().length < 5; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    // Each line is written when its answer is done: the order of the five is not the test's business.
    const byRoute = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.route).localeCompare(String(b.route));
    expect(routeLines().sort(byRoute)).toEqual(
      [
        { level: 'debug', message: 'http request', method: 'GET', route: '/metrics', status: 200 },
        { level: 'debug', message: 'http request', method: 'GET', route: '/healthz', status: 200 },
        { level: 'info', message: 'http request', method: 'GET', route: '/webhooks/:provider/:token', status: 405, errorCodes: ['METHOD_NOT_ALLOWED'] },
        { level: 'info', message: 'http request', method: 'GET', route: '/exports/*', status: 200, workspace: 'demo' },
        { level: 'info', message: 'http request', method: 'GET', route: '(unknown path)', status: 404, errorCodes: ['NOT_FOUND'] },
      ].sort(byRoute),
    );
    expect(lines.filter((line) => line.includes('secret-endpoint-token') || line.includes('secret-path'))).toEqual([]);
    expect(lines.filter((line) => line.includes('"graphql operation"'))).toEqual([]);
  });

  it('names the workspace an export answered for and the error codes a route answered with', async () => {
    // Found by an operator: a refused export's line said 429 and nothing of whose or why.
    const before = routeLines().length;
    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${origin()}${path}`, { headers });
    expect((await get('/exports/conversations.csv')).status).toBe(401);
    expect((await get('/exports/conversations.csv?since=yesterday', { authorization: 'Bearer demo-key' })).status).toBe(400);
    for (let i = 0; i < 100 && routeLines().length < before + 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(routeLines().slice(before)).toEqual([
      { level: 'info', message: 'http request', method: 'GET', route: '/exports/*', status: 401, errorCodes: ['UNAUTHENTICATED'] },
      { level: 'info', message: 'http request', method: 'GET', route: '/exports/*', status: 400, workspace: 'demo', errorCodes: ['BAD_USER_INPUT'] },
    ]);
  });

  it('logs a request Node refuses before routing too, with its status and reason and nothing it sent', async () => {
    // Found from outside: these answers (431, 400) left no line at all.
    const before = routeLines().length;
    const tooLarge = `GET /exports/conversations.csv?secret-query=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
    expect((await sendUnfinished(gw.url, [tooLarge], { waitMs: 2_000 })).status).toBe(431);
    expect((await sendUnfinished(gw.url, ['NOT HTTP AT ALL\r\n\r\n'], { waitMs: 2_000 })).status).toBe(400);
    expect(routeLines().slice(before)).toEqual([
      { level: 'warn', message: 'http request', route: '(refused before routing)', status: 431, reason: 'HPE_HEADER_OVERFLOW' },
      { level: 'warn', message: 'http request', route: '(refused before routing)', status: 400, reason: 'HPE_INVALID_METHOD' },
    ]);
    expect(lines.filter((line) => line.includes('secret-query'))).toEqual([]);
  });

  it('logs the requests the server refuses itself before routing: no Host, two Hosts, an unsupported Expect', async () => {
    // Found from outside: answered with a JSON refusal, but no line at all.
    const before = routeLines().length;
    const answers = [
      await sendUnfinished(gw.url, ['POST /graphql HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}'], { waitMs: 2_000 }),
      await sendUnfinished(gw.url, ['GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'], { waitMs: 2_000 }),
      await sendUnfinished(gw.url, ['POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: foo\r\nContent-Length: 2\r\n\r\n{}'], { waitMs: 2_000 }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 417]);
    expect(routeLines().slice(before)).toEqual([
      { level: 'warn', message: 'http request', route: '(refused before routing)', status: 400, reason: 'HOST_MISSING' },
      { level: 'warn', message: 'http request', route: '(refused before routing)', status: 400, reason: 'HOST_REPEATED' },
      { level: 'warn', message: 'http request', route: '(refused before routing)', status: 417, reason: 'EXPECTATION_UNSUPPORTED' },
    ]);
  });
});
