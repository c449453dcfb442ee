import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createCorsPolicy, DEMO_CORS_ORIGINS, parseCorsOrigins } from '../../src/http/cors.ts';
import { configRefusal } from '../config/configRefusal.ts';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';
import { exchange } from './httpExchange.ts';

// Issue 12, part 2: browsers on another origin could not call the gateway (a preflight got 400).

const APP = 'https://app.example.com';
const QUERY = JSON.stringify({ query: '{ conversations(first: 1) { totalCount } }' });

describe('CORS on the gateway (SWITCHBOARD_CORS_ORIGINS=https://app.example.com,http://localhost:*)', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ SWITCHBOARD_CORS_ORIGINS: `${APP}, http://localhost:*` });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const preflight = (origin: string, requestHeaders = 'content-type, authorization') =>
    exchange(gateway.url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
    });
  const post = (origin: string, contentType = 'application/json') =>
    exchange(gateway.url, { method: 'POST', headers: { origin, 'content-type': contentType, authorization: 'Bearer demo-key' }, body: QUERY });

  it('answers a preflight from an allowed origin with 204 and its permissions, never credentials', async () => {
    const answer = await preflight(APP, 'Content-Type, Authorization, X-Api-Key, X-Not-Allowed');
    expect(answer.status).toBe(204);
    expect(answer.body.length).toBe(0);
    expect(answer.headers['access-control-allow-origin']).toBe(APP);
    expect(answer.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    expect(answer.headers['access-control-allow-headers']).toBe('content-type, authorization, x-api-key');
    expect(answer.headers['access-control-max-age']).toBe('600');
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    expect(answer.headers.vary).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
  });

  it('answers an OPTIONS without an Origin as the plain OPTIONS it is, whatever Access-Control headers it has', async () => {
    // It was refused as a preflight from "Origin (none)" (403); browsers always send an Origin with one.
    const answer = await exchange(gateway.url, { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST' } });
    expect([answer.status, answer.headers.allow, answer.headers['access-control-allow-origin']]).toEqual([204, 'GET, HEAD, POST, OPTIONS', undefined]);
  });

  it('allows any port of an origin listed as http://localhost:*, and not a look-alike host', async () => {
    expect((await preflight('http://localhost:5173')).headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect((await preflight('http://localhost.evil.example:5173')).status).toBe(403);
    expect((await preflight('https://localhost:5173')).status).toBe(403);
  });

  it('refuses a preflight from an origin not on the list with 403, naming the setting, and no permission', async () => {
    const answer = await preflight('https://evil.example');
    expect(answer.status).toBe(403);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual({
      errors: [
        {
          message: 'Origin https://evil.example may not call this API from a browser; add it to SWITCHBOARD_CORS_ORIGINS',
          extensions: { code: 'CORS_ORIGIN_REFUSED' },
        },
      ],
    });
  });

  it("gives an allowed origin's actual request its CORS headers and the answer", async () => {
    const answer = await post(APP);
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(APP);
    expect(answer.headers['access-control-expose-headers']).toBe('x-request-id, retry-after, x-switchboard-watermark');
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    expect(answer.headers.vary).toContain('Origin');
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ data: { conversations: { totalCount: 421 } } });
  });

  it("answers a refused origin's request without CORS headers, so its page cannot read the answer", async () => {
    const answer = await post('https://evil.example');
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.headers['access-control-expose-headers']).toBeUndefined();
  });

  it('keeps CSRF prevention on: a simple (preflight-free) request is refused even from an allowed origin', async () => {
    const answer = await post(APP, 'text/plain');
    expect(answer.status).toBe(400);
    expect(answer.body.toString('utf8')).toContain('This operation has been blocked as a potential Cross-Site Request Forgery (CSRF)');
  });
});

describe('the CORS allow-list setting', () => {
  it('defaults to the local origins and the hosted Apollo Sandbox in demo mode, and to none otherwise', () => {
    expect(loadConfig({}).env.SWITCHBOARD_CORS_ORIGINS).toEqual(DEMO_CORS_ORIGINS);
    expect(DEMO_CORS_ORIGINS).toEqual(['http://localhost:*', 'http://127.0.0.1:*', 'http://[::1]:*', 'https://studio.apollographql.com']);
    const demo = createCorsPolicy(DEMO_CORS_ORIGINS);
    expect(['http://localhost:3000', 'http://127.0.0.1:4000', 'http://[::1]:8080', 'https://studio.apollographql.com'].map(demo.allows)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['https://evil.example', 'null', 'http://studio.apollographql.com'].map(demo.allows)).toEqual([false, false, false]);
    expect(loadConfig({ SWITCHBOARD_DEMO: 'true', SWITCHBOARD_CORS_ORIGINS: '' }).env.SWITCHBOARD_CORS_ORIGINS).toEqual([]);
  });

  it('normalises the entries and refuses one that is not an origin, naming the key and the entry', () => {
    expect(parseCorsOrigins(' https://App.Example.com/ ,http://localhost:*,*')).toEqual({
      origins: ['https://app.example.com', 'http://localhost:*', '*'],
    });
    expect(configRefusal({ SWITCHBOARD_CORS_ORIGINS: 'https://app.example.com,https://app.example.com/path' })).toBe(
      'Invalid configuration, check each environment variable:\n' +
        '  SWITCHBOARD_CORS_ORIGINS: "https://app.example.com/path" is not an origin such as https://app.example.com ' +
        '(scheme, host and port, no path), http://localhost:* for any port, or *',
    );
    expect(parseCorsOrigins('ftp://files.example')).toEqual({ error: expect.stringContaining('"ftp://files.example" is not an origin') });
  });
});
