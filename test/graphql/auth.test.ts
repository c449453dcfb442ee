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
