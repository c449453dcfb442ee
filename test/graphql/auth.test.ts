import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

describe('authentication', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  const post = (headers: Record<string, string>) =>
    fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ agents(first: 1) { totalCount } }' }),
    });

  it('accepts the demo key as a bearer token and as x-api-key', async () => {
    const accepted: Record<string, string>[] = [{ authorization: 'Bearer demo-key' }, { 'x-api-key': 'demo-key' }];
    for (const headers of accepted) {
      const response = await post(headers);
      const body = (await response.json()) as { data?: { agents: { totalCount: number } }; errors?: unknown };
      expect(response.status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data?.agents.totalCount).toBeGreaterThan(0);
    }
  });

  it('refuses one key header sent twice with different keys, as two different headers are; the same key twice is fine', async () => {
    // node:http keeps the first Authorization and joins repeated x-api-key values: the first key silently won, or a 401.
    const postRaw = (headers: [string, string][]) =>
      new Promise<{ status: number; body: { data?: unknown; errors?: { message: string; extensions: { code: string } }[] } }>((resolve, reject) => {
        const { hostname, port, pathname } = new URL(gw.url);
        const body = JSON.stringify({ query: '{ agents(first: 1) { totalCount } }' });
        const req = request({ hostname, port, path: pathname, method: 'POST', headers: [['host', `${hostname}:${port}`], ['content-type', 'application/json'], ['content-length', String(Buffer.byteLength(body))], ...headers].flat() }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as never }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const CONFLICT = [{ message: 'Two different API keys were sent (Authorization: Bearer and x-api-key, or one header twice); send one key', extensions: { code: 'BAD_REQUEST' } }];
    for (const headers of [
      [['authorization', 'Bearer demo-key'], ['authorization', 'Bearer acme-key']],
      [['x-api-key', 'demo-key'], ['x-api-key', 'acme-key']],
    ] as [string, string][][]) {
      expect(await postRaw(headers)).toEqual({ status: 400, body: { errors: CONFLICT } });
    }
    for (const headers of [
      [['authorization', 'Bearer demo-key'], ['authorization', 'Bearer demo-key']],
      [['x-api-key', 'demo-key'], ['x-api-key', 'demo-key']],
    ] as [string, string][][]) {
      const { status, body } = await postRaw(headers);
      expect([status, body.errors]).toEqual([200, undefined]);
    }
  });

  it('answers UNAUTHENTICATED with HTTP 401 for no key, a wrong key, or a malformed header', async () => {
    const refused: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-key' }, { 'x-api-key': 'nope' }, { authorization: 'Basic ZGVtbzprZXk=' }];
    for (const headers of refused) {
      const response = await post(headers);
      const body = (await response.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
      expect(response.status).toBe(401);
      expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
      expect(body.data ?? null).toBeNull();
    }
  });
});
