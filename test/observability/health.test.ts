import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FanoutService } from '../../src/fanout/fanoutService.ts';
import { Readiness } from '../../src/observability/readiness.ts';
import { closeProviderTransports, createProviderTransports } from '../../src/providers/connectorFactory.ts';
import { createGateway } from '../../src/server.ts';
import { WorkspaceRegistry } from '../../src/workspaces/workspaceRegistry.ts';
import { openTestPglite } from '../store/testDatabases.ts';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

const at = (gw: TestGateway, path: string) => gw.url.replace(/\/graphql$/, path);
const readyz = async (gw: TestGateway) => {
  const response = await fetch(at(gw, '/readyz'));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const READY = { status: 'ready', ready: true, checks: { shutdown: { ok: true }, store: { ok: true }, providers: { ok: true } } };

describe('/healthz and /readyz', () => {
  it('answer alive and ready, /health stays as the older name of /healthz, and none needs a key', async () => {
    const gw = await startTestGateway();
    try {
      for (const path of ['/healthz', '/health']) {
        const response = await fetch(at(gw, path));
        expect([response.status, await response.json()]).toEqual([200, { status: 'ok' }]);
      }
      expect(await readyz(gw)).toEqual({ status: 200, body: READY });
    } finally {
      await gw.close();
    }
  });

  it('a gateway built without observability answers /healthz and /health the same way, and has no /readyz or /metrics', async () => {
    const store = await openTestPglite();
    const transports = createProviderTransports();
    const fanout = new FanoutService({ database: store.db, replicaId: 'health-test', connectorFor: () => { throw new Error('no dispatch here'); } });
    const gateway = createGateway({ registry: new WorkspaceRegistry([], transports, { timeoutMs: 1_000 }), fanout, introspection: false, includeStacktrace: false });
    await gateway.start();
    await new Promise<void>((resolve) => gateway.httpServer.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(gateway.httpServer.address() as AddressInfo).port}`;
    try {
      const answers = [];
      for (const path of ['/healthz', '/health', '/readyz', '/metrics']) {
        const response = await fetch(`${origin}${path}`);
        answers.push([path, response.status, response.headers.get('content-type'), response.status === 200 ? await response.json() : null]);
      }
      expect(answers).toEqual([
        ['/healthz', 200, 'application/json; charset=utf-8', { status: 'ok' }],
        ['/health', 200, 'application/json; charset=utf-8', { status: 'ok' }],
        ['/readyz', 404, 'application/json; charset=utf-8', null],
        ['/metrics', 404, 'application/json; charset=utf-8', null],
      ]);
    } finally {
      await gateway.stop();
      await closeProviderTransports(transports);
      await store.dispose();
    }
  });

  it('readiness turns 503 when every provider\'s breaker is open, and names the open ones while some still answer', async () => {
    const gw = await startTestGateway();
    try {
      const open = (provider: 'ORATION' | 'TRATA' | 'VOICEOS') => {
        for (let i = 0; i < 5; i++) gw.transports[provider].resilience!.breaker.recordFailure();
      };
      open('TRATA');
      open('VOICEOS');
      expect(await readyz(gw)).toEqual({
        status: 200,
        body: { ...READY, checks: { ...READY.checks, providers: { ok: true, reason: 'circuit breaker open: TRATA, VOICEOS' } } },
      });
      open('ORATION');
      expect(await readyz(gw)).toEqual({
        status: 503,
        body: {
          status: 'not ready',
          ready: false,
          checks: { ...READY.checks, providers: { ok: false, reason: "every provider's circuit breaker is open: ORATION, TRATA, VOICEOS" } },
        },
      });
      // Alive all the same: a replica cut off from its providers needs no restart.
      expect((await fetch(at(gw, '/healthz'))).status).toBe(200);
      gw.transports.ORATION.resilience!.breaker.recordSuccess();
      expect((await readyz(gw)).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it('readiness weighs only the providers some workspace has an account at', async () => {
    // With no VoiceOS account anywhere, its breaker never opened, so it counted as a provider that
    // still answered: /readyz said ready while every query failed (found from outside).
    const gw = await startTestGateway({}, { workspaces: (demo) => demo.map(({ providers: { voiceos: _, ...providers }, ...workspace }) => ({ ...workspace, providers })) });
    try {
      for (const provider of ['ORATION', 'TRATA'] as const) for (let i = 0; i < 5; i++) gw.transports[provider].resilience!.breaker.recordFailure();
      expect(await readyz(gw)).toEqual({
        status: 503,
        body: {
          status: 'not ready',
          ready: false,
          checks: { ...READY.checks, providers: { ok: false, reason: "every provider's circuit breaker is open: ORATION, TRATA" } },
        },
      });
    } finally {
      await gw.close();
    }
  });

  it('readiness flips to 503 as soon as shutdown starts, while the request in flight still gets its answer', async () => {
    const gw = await startTestGateway({ SWITCHBOARD_SHUTDOWN_DELAY_MS: '300' });
    let closing: Promise<void> | undefined;
    try {
      expect((await readyz(gw)).status).toBe(200);
      gw.demo.simulators.trata!.server.setFault('*', { kind: 'slow', delayMs: 600 });
      const inFlight = gw.query<{ conversations: { totalCount: number } }>('{ conversations(first: 5) { totalCount } }');
      await new Promise((resolve) => setTimeout(resolve, 100));

      closing = gw.close();
      expect(await readyz(gw)).toEqual({
        status: 503,
        body: { status: 'not ready', ready: false, checks: { ...READY.checks, shutdown: { ok: false, reason: 'shutting down' } } },
      });
      const answered = await inFlight;
      expect(answered.status).toBe(200);
      expect(answered.body.errors).toBeUndefined();
      expect(answered.body.data?.conversations.totalCount).toBe(421);
      await closing;
      // After the stop, the port is closed: the load balancer's next probe fails outright.
      await expect(fetch(at(gw, '/readyz'))).rejects.toThrow();
    } finally {
      await (closing ?? gw.close());
    }
  });
});

describe('Readiness', () => {
  const breakers = () => [{ provider: 'ORATION' as const, failingFast: false }];

  it('reports a store that does not answer in time, or fails, with the reason', async () => {
    const hanging = new Readiness({ pingStore: () => new Promise(() => {}), breakers, storeTimeoutMs: 20 });
    expect(await hanging.check()).toEqual({
      ready: false,
      checks: { shutdown: { ok: true }, store: { ok: false, reason: 'store unreachable: no answer within 20 ms' }, providers: { ok: true } },
    });
    const failing = new Readiness({ pingStore: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')), breakers });
    expect((await failing.check()).checks.store).toEqual({ ok: false, reason: 'store unreachable: connect ECONNREFUSED 127.0.0.1:5432' });
  });

  it('counts an open breaker past its cool-down as able to probe, not as failing', async () => {
    let now = 0;
    const { CircuitBreaker } = await import('../../src/providers/resilience/circuitBreaker.ts');
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 1_000 }, { now: () => now });
    breaker.recordFailure();
    expect([breaker.state, breaker.failingFast]).toEqual(['OPEN', true]);
    now = 1_000;
    expect([breaker.state, breaker.failingFast]).toEqual(['OPEN', false]);
  });
});
