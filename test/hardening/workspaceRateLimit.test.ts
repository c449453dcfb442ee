import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceRateLimit } from '../../src/limits/workspaceRateLimit.ts';
import { startLiveGateway, type LiveGateway } from '../sync/liveGateway.ts';
import { subscribe, wsClient } from '../subscriptions/wsClient.ts';

// Found trying the gateway as an attacker would: one API key could send requests as fast as a
// replica answers, taking its CPU and the provider accounts' request budgets from everyone else.

const LIMIT = 3;
const TYPENAME = JSON.stringify({ query: '{ __typename }' });

function post(origin: string, apiKey: string): Promise<Response> {
  return fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body: TYPENAME });
}

function refusalBody(retryAfterSeconds: number) {
  return {
    errors: [
      {
        message: `This workspace sent more than ${LIMIT} requests in 60 s, its limit on this replica (SWITCHBOARD_RATE_LIMIT_PER_MINUTE); retry in ${retryAfterSeconds} s`,
        extensions: { code: 'RATE_LIMITED', retryAfterSeconds, maxRequests: LIMIT, windowSeconds: 60 },
      },
    ],
  };
}

describe('SWITCHBOARD_RATE_LIMIT_PER_MINUTE', () => {
  let gateway: LiveGateway;
  beforeAll(async () => {
    gateway = await startLiveGateway({ env: { SWITCHBOARD_RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('answers a workspace LIMIT requests a minute, then 429 with Retry-After on every entry point, other workspaces untouched', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i += 1) statuses.push((await post(gateway.origin, 'demo-key')).status);
    expect(statuses).toEqual([200, 200, 200]);

    const refused = await post(gateway.origin, 'demo-key');
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await refused.json()).toEqual(refusalBody(retryAfter));

    // A query over GET, an export and a subscription of the same workspace are refused alike.
    const viaGet = await fetch(`${gateway.origin}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { authorization: 'Bearer demo-key', 'apollo-require-preflight': 'true' },
    });
    expect(viaGet.status).toBe(429);
    expect(Number(viaGet.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await viaGet.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('RATE_LIMITED');

    const exported = await fetch(`${gateway.origin}/exports/conversations`, { headers: { authorization: 'Bearer demo-key' } });
    expect(exported.status).toBe(429);
    const exportRetry = Number(exported.headers.get('retry-after'));
    expect(await exported.json()).toEqual(refusalBody(exportRetry));

    const client = wsClient(gateway.origin, 'demo-key');
    try {
      const subscriber = subscribe<unknown>(client, 'subscription { conversationChanged { version } }');
      await expect(subscriber.until(() => false, 5_000)).rejects.toThrow('subscription error');
      const [error] = subscriber.errors.flat() as { message: string; extensions: Record<string, unknown> }[];
      expect(error?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: error?.extensions.retryAfterSeconds, maxRequests: LIMIT, windowSeconds: 60 });
    } finally {
      await client.dispose();
    }

    // Another workspace has its own count.
    expect((await post(gateway.origin, 'acme-key')).status).toBe(200);
    // An unknown key is still UNAUTHENTICATED, not counted against anyone.
    expect((await post(gateway.origin, 'no-such-key')).status).toBe(401);

    // Each refusal is counted by workspace and entry: the access log sees no WebSocket's.
    const metrics = await (await fetch(`${gateway.origin}/metrics`)).text();
    expect(metrics.split('\n').filter((line) => line.startsWith('switchboard_requests_rate_limited_total{')).sort()).toEqual([
      'switchboard_requests_rate_limited_total{workspace="demo",entry="export"} 1',
      'switchboard_requests_rate_limited_total{workspace="demo",entry="graphql"} 2',
      'switchboard_requests_rate_limited_total{workspace="demo",entry="subscription"} 1',
    ]);
  });
});

describe('WorkspaceRateLimit', () => {
  it('admits again once the window has passed, and counts workspaces apart', async () => {
    const refused: unknown[] = [];
    const limit = new WorkspaceRateLimit({ requestsPerWindow: 2, windowSeconds: 1, onRefused: (each) => refused.push(each) });
    expect([await limit.admit('a', 'graphql'), await limit.admit('a', 'export'), await limit.admit('b', 'graphql')]).toEqual([null, null, null]);
    expect(await limit.admit('a', 'subscription')).toEqual({ retryAfterSeconds: 1, maxRequests: 2, windowSeconds: 1 });
    expect(refused).toEqual([{ workspaceId: 'a', entry: 'subscription' }]);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await limit.admit('a', 'graphql')).toBeNull();
  });
});
