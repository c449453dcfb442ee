import { describe, expect, it } from 'vitest';
import { computeFreeSlots } from '../../src/fanout/computeFreeSlots.ts';
import type { BudgetUsage } from '../../src/store/queries/budgets.ts';

const NOW = new Date('2026-11-20T10:00:10.000Z');
const secondsAgo = (s: number) => new Date(NOW.getTime() - s * 1000);
const TTL = { observationTtlMs: 5_000 };

const budget = (overrides: Partial<Parameters<typeof computeFreeSlots>[0]> = {}) => ({
  configuredLimit: 20,
  providerLimit: null,
  providerRemaining: null,
  observedAt: null,
  blockedUntil: null,
  probePending: false,
  ...overrides,
});
const usage = (overrides: Partial<BudgetUsage> = {}): BudgetUsage => ({
  queued: 100,
  dispatching: 0,
  created: 0,
  createdSinceObservation: 0,
  endedSinceObservation: 0,
  ...overrides,
});

describe('computeFreeSlots', () => {
  it('counts in-flight and created conversations against the configured limit', () => {
    expect(computeFreeSlots(budget(), usage({ dispatching: 3, created: 12 }), NOW, TTL)).toMatchObject({
      free: 5,
      held: 15,
      limit: 20,
      bound: 'LOCAL',
    });
    expect(computeFreeSlots(budget(), usage({ created: 25 }), NOW, TTL).free).toBe(0);
  });

  it('uses the limit the provider stated over the configured one', () => {
    expect(computeFreeSlots(budget({ providerLimit: 5 }), usage({ created: 2 }), NOW, TTL)).toMatchObject({ free: 3, limit: 5 });
  });

  it('lets a fresh provider word that counts other clients win over the local count', () => {
    // The provider said 4 remaining 2 s ago; since then 1 sent (in flight) and 1 created, 2 seen ending.
    const slots = computeFreeSlots(
      budget({ providerRemaining: 4, observedAt: secondsAgo(2) }),
      usage({ dispatching: 1, created: 6, createdSinceObservation: 1, endedSinceObservation: 2 }),
      NOW,
      TTL,
    );
    expect(slots).toMatchObject({ free: 4, bound: 'PROVIDER' });
  });

  it('keeps the local count when it is the tighter bound, and ignores a stale provider word', () => {
    const generous = budget({ providerRemaining: 20, observedAt: secondsAgo(1) });
    expect(computeFreeSlots(generous, usage({ created: 18 }), NOW, TTL)).toMatchObject({ free: 2, bound: 'LOCAL' });
    const stale = budget({ providerRemaining: 0, observedAt: secondsAgo(6) });
    expect(computeFreeSlots(stale, usage({ created: 10 }), NOW, TTL)).toMatchObject({ free: 10, bound: 'LOCAL' });
  });

  it('sends nothing while a Retry-After runs, then probes with one conversation', () => {
    const blocked = budget({ blockedUntil: new Date(NOW.getTime() + 1), probePending: true });
    expect(computeFreeSlots(blocked, usage(), NOW, TTL)).toMatchObject({ free: 0, bound: 'BLOCKED', blockedUntil: blocked.blockedUntil });
    const probing = budget({ blockedUntil: NOW, probePending: true, providerRemaining: 0, observedAt: secondsAgo(1) });
    expect(computeFreeSlots(probing, usage(), NOW, TTL)).toMatchObject({ free: 1, bound: 'PROBING' });
    // One probe at a time.
    expect(computeFreeSlots(probing, usage({ dispatching: 1 }), NOW, TTL).free).toBe(0);
    // And never past the local count.
    expect(computeFreeSlots(probing, usage({ created: 20 }), NOW, TTL).free).toBe(0);
  });

  it('never reports negative room', () => {
    const slots = computeFreeSlots(budget({ providerRemaining: 0, observedAt: NOW }), usage({ dispatching: 4 }), NOW, TTL);
    expect(slots.free).toBe(0);
  });
});
