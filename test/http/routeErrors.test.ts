import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';
import { exchange } from './httpExchange.ts';

/** The answers of the HTTP routes beside /graphql, as docs/errors.md lists them. */
describe('errors of the HTTP routes', () => {
  let gw: TestGateway;
  let origin: string;
  const auth = { authorization: 'Bearer demo-key' };

  beforeAll(async () => {
    gw = await startTestGateway();
    origin = new URL(gw.url).origin;
  });
  afterAll(async () => {
    await gw.close();
  });

  const answer = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${origin}${path}`, init);
    return { status: response.status, allow: response.headers.get('allow'), body: (await response.json()) as unknown };
  };

  it('answers 404 NOT_FOUND for an unknown path', async () => {
    expect(await answer('/nope')).toEqual({
      status: 404,
      allow: null,
      body: { errors: [{ message: 'Not found: /nope. The API is at /graphql.', extensions: { code: 'NOT_FOUND' } }] },
    });
  });

  it('answers a plain OPTIONS with the methods of the path asked about, and 404 for an unknown path', async () => {
    // Every path answered `Allow: GET, POST, OPTIONS` (the CORS layer's list), /nope included.
    const options = async (path: string) => {
      const response = await fetch(`${origin}${path}`, { method: 'OPTIONS' });
      return { status: response.status, allow: response.headers.get('allow') };
    };
    expect(await options('/graphql')).toEqual({ status: 204, allow: 'GET, HEAD, POST, OPTIONS' });
    expect(await options('/exports/conversations.csv')).toEqual({ status: 204, allow: 'GET, HEAD, OPTIONS' });
    expect(await options('/graphiql')).toEqual({ status: 204, allow: 'GET, HEAD, OPTIONS' });
    expect(await options('/webhooks/oration/some-token')).toEqual({ status: 204, allow: 'POST, OPTIONS' });
    expect(await options('/webhooks/voiceos/some-token')).toEqual({ status: 204, allow: 'GET, POST, OPTIONS' });
    expect(await options('/healthz')).toEqual({ status: 204, allow: 'GET, HEAD, OPTIONS' });
    expect(await options('/nope')).toEqual({ status: 404, allow: null });
    // The server as a whole (`OPTIONS *`): every method some route serves.
    expect(await exchange(origin, { method: 'OPTIONS', path: '*' })).toMatchObject({ status: 204, headers: { allow: 'GET, HEAD, POST, OPTIONS' } });
    expect(await options('/webhooks/nobody/some-token')).toEqual({ status: 404, allow: null });
    // Under a route, only what GET finds: an unknown export or asset is not there to have methods.
    expect(await options('/exports/nope.csv')).toEqual({ status: 404, allow: null });
    expect(await options('/graphiql/assets/nope.js')).toEqual({ status: 404, allow: null });
    expect(await options('/graphiql/x/y')).toEqual({ status: 404, allow: null });
  });

  it('serves a request whose target is in absolute form as its path (RFC 9112, 3.2.2)', async () => {
    // `GET http://host/healthz` was 404 "Not found: http://host/healthz": a server must accept it.
    const host = new URL(origin).host;
    expect(await exchange(origin, { method: 'GET', path: `http://${host}/healthz` })).toMatchObject({ status: 200 });
    const graphql = await exchange(origin, {
      method: 'POST',
      path: `http://${host}/graphql?x=1`,
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect({ status: graphql.status, body: JSON.parse(graphql.body.toString()) as unknown }).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    // The path is what routes: an unknown one is named as a path, as any other is.
    const unknown = await exchange(origin, { method: 'GET', path: `http://${host}/nope` });
    expect({ status: unknown.status, body: JSON.parse(unknown.body.toString()) as unknown }).toEqual({
      status: 404,
      body: { errors: [{ message: 'Not found: /nope. The API is at /graphql.', extensions: { code: 'NOT_FOUND' } }] },
    });
  });

  it('answers HEAD /graphql as GET without the body, and another method 405 with Allow', async () => {
    // HEAD was Apollo's 400 (a CSRF refusal, or "supports only GET/POST"), PUT and DELETE 400 too.
    const landing = { accept: 'text/html' };
    const get = await exchange(`${origin}/graphql`, { method: 'GET', headers: landing });
    const head = await exchange(`${origin}/graphql`, { method: 'HEAD', headers: landing });
    expect({ status: head.status, type: head.headers['content-type'], length: head.body.length }).toEqual({ status: 200, type: get.headers['content-type'], length: 0 });
    expect(get.status).toBe(200);
    const query = `${origin}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const headers = { ...auth, 'apollo-require-preflight': 'true' };
    const [getQuery, headQuery] = [await exchange(query, { method: 'GET', headers }), await exchange(query, { method: 'HEAD', headers })];
    expect({ status: headQuery.status, length: headQuery.body.length }).toEqual({ status: getQuery.status, length: 0 });
    expect(JSON.parse(getQuery.body.toString())).toEqual({ data: { __typename: 'Query' } });
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      expect(await answer('/graphql', { method, headers: { ...auth, 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })).toEqual({
        status: 405,
        allow: 'GET, HEAD, POST, OPTIONS',
        body: { errors: [{ message: `${method} is not allowed on /graphql; GraphQL is served with GET (and HEAD, answered as GET) and POST`, extensions: { code: 'METHOD_NOT_ALLOWED' } }] },
      });
    }
  });

  it('answers 405 METHOD_NOT_ALLOWED for a write to a probe route, with Allow', async () => {
    expect(await answer('/healthz', { method: 'POST' })).toEqual({
      status: 405,
      allow: 'GET, HEAD, OPTIONS',
      body: { errors: [{ message: 'POST is not allowed on /healthz; it is read with GET', extensions: { code: 'METHOD_NOT_ALLOWED' } }] },
    });
    expect((await fetch(`${origin}/healthz`, { method: 'HEAD' })).status).toBe(200);
  });

  it('answers 405 METHOD_NOT_ALLOWED for a POST on /exports/*, with Allow', async () => {
    expect(await answer('/exports/conversations', { method: 'POST', headers: auth })).toEqual({
      status: 405,
      allow: 'GET, HEAD, OPTIONS',
      body: { errors: [{ message: 'Exports are read with GET', extensions: { code: 'METHOD_NOT_ALLOWED' } }] },
    });
  });

  it('answers 406 NOT_ACCEPTABLE for an export whose Accept admits neither CSV nor NDJSON', async () => {
    expect(await answer('/exports/conversations', { headers: { ...auth, accept: 'application/json' } })).toEqual({
      status: 406,
      allow: null,
      body: { errors: [{ message: 'Accept: exports are text/csv or application/x-ndjson', extensions: { code: 'NOT_ACCEPTABLE' } }] },
    });
  });

  it('names the parameter of a refused export, even an unnamed one', async () => {
    // `?=x` was refused without `extensions.parameter`: the empty name read as "no parameter".
    expect(await answer('/exports/conversations.csv?=x', { headers: auth })).toEqual({
      status: 400,
      allow: null,
      body: { errors: [{ message: 'Unknown parameter ""', extensions: { code: 'BAD_USER_INPUT', parameter: '' } }] },
    });
  });

  it('refuses two different API keys (Authorization and x-api-key) with 400 on /graphql and /exports, and takes the same key twice', async () => {
    const both = { authorization: 'Bearer demo-key', 'x-api-key': 'acme-key' };
    const refused = {
      errors: [
        {
          message: 'Two different API keys were sent (Authorization: Bearer and x-api-key, or one header twice); send one key',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    };
    const query = { method: 'POST', body: JSON.stringify({ query: '{ __typename }' }) };
    expect(await answer('/graphql', { ...query, headers: { ...both, 'content-type': 'application/json' } })).toEqual({ status: 400, allow: null, body: refused });
    expect(await answer('/exports/conversations.csv', { headers: both })).toEqual({ status: 400, allow: null, body: refused });
    const same = await answer('/graphql', { ...query, headers: { ...auth, 'x-api-key': 'demo-key', 'content-type': 'application/json' } });
    expect(same).toEqual({ status: 200, allow: null, body: { data: { __typename: 'Query' } } });
  });

  it('answers a webhook endpoint in its own shape: 405 for a GET, save on VoiceOS, whose agents may send webhooks by GET', async () => {
    expect(await answer('/webhooks/oration/some-token')).toEqual({
      status: 405,
      allow: 'POST, OPTIONS',
      body: { ok: false, error: { code: 'METHOD_NOT_ALLOWED', message: 'Webhooks are POSTed' } },
    });
    expect(await answer('/webhooks/voiceos/some-token', { method: 'PUT' })).toEqual({
      status: 405,
      allow: 'GET, POST, OPTIONS',
      body: { ok: false, error: { code: 'METHOD_NOT_ALLOWED', message: 'Webhooks come by GET or POST' } },
    });
    expect(await answer('/webhooks/voiceos/some-token?event=conversation%3Aended&conversation_id=c-1')).toEqual({
      status: 401,
      allow: null,
      body: { ok: false, error: { code: 'UNAUTHENTICATED', message: 'Unknown webhook endpoint' } },
    });
  });

  it('answers 404 for a webhook path naming an unknown provider, whatever the method', async () => {
    const unknown = { status: 404, allow: null, body: { ok: false, error: { code: 'NOT_FOUND', message: 'Unknown provider "acme": expected one of oration, trata, voiceos' } } };
    expect(await answer('/webhooks/acme/some-token', { method: 'POST', body: '{}' })).toEqual(unknown);
    expect(await answer('/webhooks/acme/some-token')).toEqual(unknown);
    expect(await answer('/webhooks/acme/some-token', { method: 'PUT' })).toEqual(unknown);
  });

  it('answers 400 for a webhook path that is not valid percent-encoding, not a 500', async () => {
    const refused = { status: 400, allow: null, body: { ok: false, error: { code: 'BAD_REQUEST', message: 'Webhook path refused: a segment is not valid percent-encoding' } } };
    expect(await answer('/webhooks/%E0/some-token', { method: 'POST', body: '{}' })).toEqual(refused);
    expect(await answer('/webhooks/oration/%', { method: 'POST', body: '{}' })).toEqual(refused);
  });
});
