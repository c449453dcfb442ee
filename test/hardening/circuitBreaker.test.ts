import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitState } from '../../src/providers/resilience/circuitBreaker.ts';

function breakerWithClock(failureThreshold = 3, cooldownMs = 1000) {
  let now = 0;
  const transitions: CircuitState[] = [];
  const breaker = new CircuitBreaker(
    { failureThreshold, cooldownMs },
    { now: () => now, onStateChange: (state) => transitions.push(state) },
  );
  return { breaker, transitions, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after failureThreshold consecutive failures and then fails fast with the time left', () => {
    const { breaker, advance } = breakerWithClock(3, 1000);
    for (let i = 0; i < 2; i++) {
      expect(breaker.admit()).toEqual({ admitted: true, probe: false });
      breaker.recordFailure();
    }
    expect(breaker.state).toBe('CLOSED');
    breaker.admit();
    breaker.recordFailure();
    expect(breaker.state).toBe('OPEN');
    advance(400);
    expect(breaker.admit()).toEqual({ admitted: false, retryAfterMs: 600 });
  });

  it('counts only consecutive failures: an answer from the provider resets the count', () => {
    const { breaker } = breakerWithClock(3);
    for (const outcome of ['fail', 'fail', 'ok', 'fail', 'fail', 'ok', 'fail'] as const) {
      breaker.admit();
      if (outcome === 'fail') breaker.recordFailure();
      else breaker.recordSuccess();
    }
    expect(breaker.state).toBe('CLOSED');
  });

  it('lets exactly one probe through after the cool-down; its success closes the circuit', () => {
    const { breaker, transitions, advance } = breakerWithClock(1, 1000);
    breaker.admit();
    breaker.recordFailure();
    advance(1000);
    expect(breaker.admit()).toEqual({ admitted: true, probe: true });
    expect(breaker.state).toBe('HALF_OPEN');
    expect(breaker.admit()).toEqual({ admitted: false, retryAfterMs: 0 });
    breaker.recordSuccess();
    expect(breaker.admit()).toEqual({ admitted: true, probe: false });
    expect(transitions).toEqual(['OPEN', 'HALF_OPEN', 'CLOSED']);
  });

  it('opens again for a full cool-down when the probe fails', () => {
    const { breaker, transitions, advance } = breakerWithClock(2, 1000);
    for (let i = 0; i < 2; i++) {
      breaker.admit();
      breaker.recordFailure();
    }
    advance(1500);
    expect(breaker.admit()).toMatchObject({ admitted: true, probe: true });
    breaker.recordFailure();
    expect(breaker.admit()).toEqual({ admitted: false, retryAfterMs: 1000 });
    expect(transitions).toEqual(['OPEN', 'HALF_OPEN', 'OPEN']);
  });
});
