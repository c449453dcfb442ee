import { describe, expect, it } from 'vitest';
import { fanoutTimingOf, loadConfig, shutdownTimingOf } from '../../src/config.ts';
import { configRefusal } from './configRefusal.ts';
import { createLandingWindowMs, resolveTiming, UnsafeFanoutTimingError } from '../../src/fanout/fanoutTiming.ts';


describe('fan-out timing: "not found" is only believed once no create can still land', () => {
  it('derives the reconcile grace from the send window, the upstream timeout and the provider settle time', () => {
    const timing = resolveTiming(fanoutTimingOf(loadConfig({ SWITCHBOARD_UPSTREAM_TIMEOUT_MS: '8000' }).env));
    expect(createLandingWindowMs(timing)).toBe(2_000 + 8_000 + 5_000);
    expect(timing.reconcileGraceMs).toBe(15_000);
    expect(timing.upstreamTimeoutMs).toBe(8_000);
    expect(resolveTiming({}).reconcileGraceMs).toBe(17_000);
  });

  it('refuses a reconcile grace shorter than the landing window, naming the key (issue 7, finding 1)', () => {
    // The reported setting: a 5 s grace under the 10 s default timeout dialed 5 of 5 twice.
    const message = configRefusal({ SWITCHBOARD_FANOUT_RECONCILE_GRACE_MS: '5000' });
    expect(message).toContain('SWITCHBOARD_FANOUT_RECONCILE_GRACE_MS is too short');
    expect(message).toContain('17000 ms');
    expect(() => loadConfig({ SWITCHBOARD_FANOUT_RECONCILE_GRACE_MS: '17000' })).not.toThrow();
  });

  it('refuses a lease that a create could outlive, naming the key', () => {
    const message = configRefusal({ SWITCHBOARD_UPSTREAM_TIMEOUT_MS: '60000' });
    expect(message).toContain('SWITCHBOARD_FANOUT_LEASE_MS is too short');
    expect(configRefusal({ SWITCHBOARD_FANOUT_LEASE_MS: '17000' })).toContain('SWITCHBOARD_FANOUT_LEASE_MS');
    expect(() => loadConfig({ SWITCHBOARD_FANOUT_LEASE_MS: '17001' })).not.toThrow();
  });

  it('refuses the same in code that builds the engine without the environment', () => {
    expect(() => resolveTiming({ upstreamTimeoutMs: 1_000, sendWindowMs: 100, providerSettleMs: 100, reconcileGraceMs: 1_199 })).toThrow(
      UnsafeFanoutTimingError,
    );
    expect(resolveTiming({ upstreamTimeoutMs: 1_000, sendWindowMs: 100, providerSettleMs: 100, leaseMs: 5_000 }).reconcileGraceMs).toBe(1_200);
  });
});

describe('shutdown timing', () => {
  it('refuses a readiness delay that would use up the whole shutdown bound, naming both keys', () => {
    expect(configRefusal({ SWITCHBOARD_SHUTDOWN_DELAY_MS: '8000' })).toBe(
      'Invalid configuration: SWITCHBOARD_SHUTDOWN_DELAY_MS must be less than SWITCHBOARD_SHUTDOWN_TIMEOUT_MS',
    );
    expect(() => loadConfig({ SWITCHBOARD_SHUTDOWN_DELAY_MS: '2000', SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: '8000' })).not.toThrow();
    // A longer shutdown bound makes room for a longer delay: no fixed cap of its own.
    expect(loadConfig({ SWITCHBOARD_SHUTDOWN_DELAY_MS: '15000', SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: '30000' }).env.SWITCHBOARD_SHUTDOWN_DELAY_MS).toBe(15000);
  });

  it('gives the drain of requests in flight what the readiness delay leaves of the bound, so delay and drain stay within it', () => {
    const timing = (env: Record<string, string>) => shutdownTimingOf(loadConfig(env).env);
    expect(timing({ SWITCHBOARD_SHUTDOWN_DELAY_MS: '3000', SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: '8000' })).toEqual({ delayMs: 3000, drainGraceMs: 5000 });
    expect(timing({ SWITCHBOARD_SHUTDOWN_DELAY_MS: '7999', SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: '8000' })).toEqual({ delayMs: 7999, drainGraceMs: 1 });
    // No delay (the default): the drain has the whole bound.
    expect(timing({})).toEqual({ delayMs: 0, drainGraceMs: 8000 });
  });
});
