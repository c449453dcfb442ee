import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

// Apollo Server answers automatic persisted queries (APQ) by default: a client sends a query's
// SHA-256 alone and, when the gateway does not know it, the query with its hash once. Apollo
// raises the protocol's own mistakes (a hash that is not the query's, a version other than 1)
// without a code, so they read as INTERNAL_SERVER_ERROR and were logged as bugs.
describe('automatic persisted queries', () => {
  let gw: TestGateway;
  const lines: string[] = [];
  const QUERY = '{ conversations(first: 1) { totalCount } }';
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

  beforeAll(async () => {
    gw = await startTestGateway({}, { logger: createLogger('debug', (line) => lines.push(line)) });
  });
  afterAll(async () => {
    await gw.close();
  });

  const post = async (body: Record<string, unknown>) => {
    const response = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer demo-key' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
  };
  const apq = (hash: string, version: unknown = 1) => ({ persistedQuery: { version, sha256Hash: hash } });

  it('asks for an unknown hash, then answers it by hash alone once registered', async () => {
    expect(await post({ extensions: apq(sha256(QUERY)) })).toEqual({
      status: 200,
      body: { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] },
    });
    const registered = await post({ query: QUERY, extensions: apq(sha256(QUERY)) });
    expect(registered.status).toBe(200);
    expect(await post({ extensions: apq(sha256(QUERY)) })).toEqual(registered);
  });

  it('refuses a hash that is not the query\'s, and another protocol version, as BAD_REQUEST, logged as refusals', async () => {
    lines.length = 0;
    expect(await post({ query: QUERY, extensions: apq(sha256('{ other }')) })).toEqual({
      status: 400,
      body: { errors: [{ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } }] },
    });
    expect(await post({ query: QUERY, extensions: apq(sha256(QUERY), 2) })).toEqual({
      status: 400,
      body: { errors: [{ message: 'Unsupported persisted query version', extensions: { code: 'BAD_REQUEST' } }] },
    });
    const logged = lines.map((line) => JSON.parse(line) as { level: string; message: string; code?: string });
    expect(logged.filter((entry) => entry.level === 'error')).toEqual([]);
    expect(logged.filter((entry) => entry.message === 'request refused').map((entry) => entry.code)).toEqual(['BAD_REQUEST', 'BAD_REQUEST']);
  });

  it('refuses a persistedQuery without a SHA-256 hash, or that is no object, as BAD_REQUEST naming the field, over POST and GET', async () => {
    // A missing or numeric hash was looked up like any other: PERSISTED_QUERY_NOT_FOUND, which
    // tells a client to send the query again (an outside trial).
    const NO_HASH = '`extensions.persistedQuery.sha256Hash` must be the SHA-256 of the query as 64 hex digits';
    const NO_OBJECT = '`extensions.persistedQuery` must be an object: { "version": 1, "sha256Hash": "<64 hex digits>" }';
    const refusal = (message: string) => ({ status: 400, body: { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] } });
    expect(await post({ extensions: { persistedQuery: { version: 1 } } })).toEqual(refusal(NO_HASH));
    expect(await post({ query: QUERY, extensions: { persistedQuery: { version: 1, sha256Hash: 12 } } })).toEqual(refusal(NO_HASH));
    expect(await post({ extensions: { persistedQuery: 'x' } })).toEqual(refusal(NO_OBJECT));
    const viaGet = await fetch(`${gw.url}?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: 'abc' } }))}`, {
      headers: { authorization: 'Bearer demo-key', 'apollo-require-preflight': 'true' },
    });
    expect({ status: viaGet.status, body: await viaGet.json() }).toEqual(refusal(NO_HASH));
  });
});
