import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHook } from 'node:async_hooks';
import { z } from 'zod';
import { createProviderDispatcher } from '../../src/providers/http.ts';
import { createUpstreamClient } from '../../src/providers/kit/createUpstreamClient.ts';
import { CircuitOpenError } from '../../src/providers/resilience/circuitOpenError.ts';
import { ProviderResilience, type ResilienceOptions } from '../../src/providers/resilience/providerResilience.ts';
import { RequestNotSentError } from '../../src/providers/resilience/requestNotSentError.ts';
import { UpstreamQueueFullError } from '../../src/providers/resilience/upstreamQueueFullError.ts';
import { SimulatorServer } from '../../src/simulators/shared/simulatorServer.ts';

/**
 * The resilience policy as a connector meets it: a real UpstreamClient talking HTTP to a small
 * SimulatorServer with one read and one create endpoint. Time is a hand-driven clock and sleeps
 * are recorded instead of waited, so every assertion is on counts and requested delays.
 */
const READ = 'GET /v1/items';
const CREATE = 'POST /v1/items';
const itemsSchema = z.object({ items: z.array(z.object({ id: z.string() })) });

const server = new SimulatorServer({
  name: 'resilience-test',
  authenticate: (headers) => (headers.authorization === 'Bearer test-token' ? null : { status: 401, body: { error: 'no' } }),
  routes: [
    { method: 'GET', pattern: '/v1/items', handler: () => ({ status: 200, body: { items: [{ id: 'a' }] } }) },
    { method: 'POST', pattern: '/v1/items', handler: () => ({ status: 201, body: { items: [{ id: 'new' }] } }) },
  ],
});

let baseUrl: string;
beforeAll(async () => {
  baseUrl = await server.listen(0);
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.clearFaults();
  server.resetStats();
  server.setLatency({ minMs: 0, maxMs: 0 });
});

function clientWith(options: { [K in keyof ResilienceOptions]?: Partial<ResilienceOptions[K]> } = {}) {
  let now = 0;
  const sleeps: number[] = [];
  const resilience = new ProviderResilience(
    'TRATA',
    {
      retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 100, maxRetryAfterMs: 5000, ...options.retry },
      breaker: { failureThreshold: 100, cooldownMs: 10_000, ...options.breaker },
      concurrency: { maxConcurrent: 8, maxQueued: 100, ...options.concurrency },
    },
    { now: () => now, sleep: async (ms) => void sleeps.push(ms), random: () => 1 },
  );
  const dispatcher = createProviderDispatcher();
  const client = createUpstreamClient({
    provider: 'TRATA',
    baseUrl,
    authHeaders: { authorization: 'Bearer test-token' },
    transport: { dispatcher, resilience },
    timeoutMs: 300,
  });
  return {
    client,
    resilience,
    sleeps,
    advance: (ms: number) => (now += ms),
    read: () => client.sendOk({ method: 'GET', path: '/v1/items', schema: itemsSchema, endpoint: 'items.list' }),
    create: () => client.sendOk({ method: 'POST', path: '/v1/items', body: { name: 'x' }, schema: itemsSchema, endpoint: 'items.create' }),
  };
}

describe('UpstreamClient with the provider resilience policy', () => {
  it('retries a read through intermittent 503s with growing backoff and returns the data', async () => {
    const { read, sleeps } = clientWith();
    server.setFault(READ, { kind: 'status', status: 503, times: 2 });
    const response = await read();
    expect(response.data.items).toEqual([{ id: 'a' }]);
    expect(server.count(READ)).toBe(3);
    expect(sleeps).toEqual([10, 20]);
  });

  it('gives up on a read after maxRetries and throws the last typed error', async () => {
    const { read } = clientWith();
    server.setFault(READ, { kind: 'status', status: 500 });
    await expect(read()).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', provider: 'TRATA', httpStatus: 500 });
    expect(server.count(READ)).toBe(3);
  });

  it.each([
    ['a 503', { kind: 'status', status: 503 }, 'PROVIDER_UNAVAILABLE'],
    ['a connection reset', { kind: 'reset' }, 'PROVIDER_UNAVAILABLE'],
    ['a timeout', { kind: 'timeout' }, 'PROVIDER_TIMEOUT'],
    ['a 429', { kind: 'rateLimit', retryAfterSeconds: 1 }, 'PROVIDER_RATE_LIMITED'],
  ] as const)('never sends a create twice, even after %s', async (_, fault, code) => {
    const { create } = clientWith();
    server.setFault(CREATE, fault);
    await expect(create()).rejects.toMatchObject({ code });
    expect(server.count(CREATE)).toBe(1);
  });

  it('honours Retry-After on a read: waits exactly that long, then succeeds', async () => {
    const { read, sleeps } = clientWith();
    server.setFault(READ, { kind: 'rateLimit', retryAfterSeconds: 2, times: 1 });
    await expect(read()).resolves.toMatchObject({ status: 200 });
    expect(sleeps).toEqual([2000]);
    expect(server.count(READ)).toBe(2);
  });

  it('does not wait out a Retry-After longer than allowed: the caller gets it as retryAfterMs', async () => {
    const { read, sleeps } = clientWith();
    server.setFault(READ, { kind: 'rateLimit', retryAfterSeconds: 60 });
    await expect(read()).rejects.toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfterMs: 60_000 });
    expect(sleeps).toEqual([]);
    expect(server.count(READ)).toBe(1);
  });

  it('does not retry a body that breaks the contract', async () => {
    const { read } = clientWith();
    server.setFault(READ, { kind: 'drift', field: 'id', to: { value: 7 } });
    await expect(read()).rejects.toMatchObject({ code: 'PROVIDER_BAD_RESPONSE', issues: ['items.0.id'] });
    expect(server.count(READ)).toBe(1);
  });

  it('opens the circuit after repeated outages, fails fast without calling, then probes and closes', async () => {
    const { read, create, advance, resilience } = clientWith({ retry: { maxRetries: 0 }, breaker: { failureThreshold: 3, cooldownMs: 5000 } });
    server.setFault('*', { kind: 'status', status: 502 });
    for (let i = 0; i < 3; i++) await expect(read()).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(resilience.breaker.state).toBe('OPEN');

    advance(1000);
    const failFast = await read().catch((error: unknown) => error);
    expect(failFast).toBeInstanceOf(CircuitOpenError);
    // The fan-out relies on this to requeue a create instead of treating it as possibly sent.
    expect(failFast).toBeInstanceOf(RequestNotSentError);
    expect(failFast).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', provider: 'TRATA', retryAfterMs: 4000 });
    await expect(create()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(server.count(READ)).toBe(3);
    expect(server.count(CREATE)).toBe(0);

    server.clearFaults();
    advance(4000);
    await expect(read()).resolves.toMatchObject({ status: 200 });
    expect(resilience.breaker.state).toBe('CLOSED');
    await expect(create()).resolves.toMatchObject({ status: 201 });
    expect(server.count(READ)).toBe(4);
  });

  it('stops retrying once the circuit opens and reports the real failure', async () => {
    const { read } = clientWith({ retry: { maxRetries: 5 }, breaker: { failureThreshold: 2 } });
    server.setFault(READ, { kind: 'status', status: 503 });
    const error = await read().catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', httpStatus: 503 });
    expect(server.count(READ)).toBe(2);
  });

  it('does not count refusals (401) as an outage', async () => {
    const dispatcher = createProviderDispatcher();
    const resilience = new ProviderResilience('TRATA', { breaker: { failureThreshold: 1, cooldownMs: 1000 } });
    const client = createUpstreamClient({ provider: 'TRATA', baseUrl, authHeaders: { authorization: 'Bearer wrong' }, transport: { dispatcher, resilience } });
    await expect(client.sendOk({ method: 'GET', path: '/v1/items', schema: itemsSchema, endpoint: 'items.list' })).rejects.toMatchObject({
      code: 'PROVIDER_UNAUTHORIZED',
    });
    expect(resilience.breaker.state).toBe('CLOSED');
    expect(server.count(READ)).toBe(1);
  });

  it('caps the requests in flight to one provider and refuses beyond the queue', async () => {
    const { read } = clientWith({ concurrency: { maxConcurrent: 2, maxQueued: 6 } });
    server.setLatency({ minMs: 30, maxMs: 30 });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => read()));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(8);
    expect(refused).toHaveLength(2);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(UpstreamQueueFullError);
    expect(server.stats().peakInFlight).toBe(2);
    expect(server.count(READ)).toBe(8);
  });
});

describe("an upstream request's timeout", () => {
  /**
   * The timers armed with the client's timeout (300 ms, `clientWith`), as async_hooks sees them
   * made and then cleared or fired. `_idleTimeout` is node's own field for a timer's delay.
   */
  function watchRequestTimers() {
    const armed = new Set<number>();
    const pending = new Set<number>();
    const hook = createHook({
      init(asyncId, type, _triggerId, resource) {
        if (type === 'Timeout' && (resource as { _idleTimeout?: number })._idleTimeout === 300) {
          armed.add(asyncId);
          pending.add(asyncId);
        }
      },
      destroy: (asyncId) => void pending.delete(asyncId),
    }).enable();
    return { armed, pending, stop: () => hook.disable() };
  }

  it('is disarmed as soon as the exchange ends, answered, refused or cut off', async () => {
    // Each request used to leave its timer (AbortSignal.timeout, which cannot be cleared) pending
    // until a full collection or the timeout: 1,199 of them in a busy gateway (issue 9).
    const { read, create } = clientWith({ retry: { maxRetries: 0 } });
    const timers = watchRequestTimers();
    try {
      await read();
      await create();
      server.setFault(READ, { kind: 'status', status: 503, times: 1 });
      await expect(read()).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
      server.setFault(READ, { kind: 'reset', times: 1 });
      await expect(read()).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
      // node reports a cleared timer's destroy on a later turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      expect(timers.armed.size).toBe(4);
      expect(timers.pending.size).toBe(0);
    } finally {
      timers.stop();
    }
  });

  it('still ends a request the provider never answers, as a timeout', async () => {
    const { read } = clientWith({ retry: { maxRetries: 0 } });
    server.setFault(READ, { kind: 'timeout', times: 1 });
    await expect(read()).rejects.toMatchObject({ code: 'PROVIDER_TIMEOUT' });
    expect(server.count(READ)).toBe(1);
  });
});
