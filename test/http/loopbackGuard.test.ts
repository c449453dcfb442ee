import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { NOT_A_LOOPBACK_HOST_MESSAGE } from '../../src/http/loopbackGuard.ts';
import { startLiveGateway, type LiveGateway } from '../sync/liveGateway.ts';

/** A POST of `{ __typename }` with the demo key, addressed to `host`: what a page under that name sends. */
function postAs(origin: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}/graphql`, { method: 'POST', headers: { host, 'content-type': 'application/json', authorization: 'Bearer demo-key' } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ query: '{ __typename }' }));
  });
}

/** Whether a WebSocket upgrade with these headers is taken (`open`) or refused (its status and body). */
function upgrade(origin: string, headers: Record<string, string>): Promise<'open' | { status: number; body: unknown }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { headers });
    socket.on('open', () => {
      socket.close();
      resolve('open');
    });
    socket.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? null : (JSON.parse(text) as unknown) }));
    });
    socket.on('error', () => {});
  });
}

describe('demo mode on loopback answers only this machine\'s names', () => {
  // Its keys are public: a page under a name rebound to 127.0.0.1 read everything and could create
  // conversations, and any web site could subscribe over WebSocket (a security trial).
  let gateway: LiveGateway;
  let open: LiveGateway;
  beforeAll(async () => {
    [gateway, open] = await Promise.all([startLiveGateway({ loopbackHostsOnly: true }), startLiveGateway()]);
  });
  afterAll(async () => {
    await Promise.all([gateway.close(), open.close()]);
  });

  it('refuses a request addressed to any other name, and serves loopback names', async () => {
    const port = new URL(gateway.origin).port;
    const refused = await postAs(gateway.origin, `attacker.example:${port}`);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN' } }] });
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost']) {
      expect([host, (await postAs(gateway.origin, host)).status]).toEqual([host, 200]);
    }
    // Without the guard (a gateway serving the network), any name is served.
    expect((await postAs(open.origin, 'attacker.example')).status).toBe(200);
  });

  it('takes a WebSocket from this machine\'s pages, the hosted Sandbox and non-browser clients, not from another site', async () => {
    const port = new URL(gateway.origin).port;
    const host = `127.0.0.1:${port}`;
    // Each refusal says why, in GraphQL's error shape, as the HTTP routes' do (it had no body, an outside trial).
    expect(await upgrade(gateway.origin, { host, origin: 'https://evil.example' })).toEqual({
      status: 403,
      body: { errors: [{ message: 'Origin https://evil.example may not open a WebSocket to this demo gateway; add it to SWITCHBOARD_CORS_ORIGINS', extensions: { code: 'CORS_ORIGIN_REFUSED' } }] },
    });
    expect(await upgrade(gateway.origin, { host: `attacker.example:${port}` })).toEqual({
      status: 403,
      body: { errors: [{ message: NOT_A_LOOPBACK_HOST_MESSAGE, extensions: { code: 'FORBIDDEN' } }] },
    });
    expect(await upgrade(gateway.origin, { host, origin: 'http://localhost:5173' })).toBe('open');
    expect(await upgrade(gateway.origin, { host, origin: 'https://studio.apollographql.com' })).toBe('open');
    expect(await upgrade(gateway.origin, { host })).toBe('open');
    expect(await upgrade(open.origin, { origin: 'https://evil.example' })).toBe('open');
  });
});
