import { describe, expect, it } from 'vitest';
import {
  ProviderBadResponseError,
  ProviderRateLimitedError,
  ProviderRejectedError,
  ProviderTimeoutError,
  ProviderUnauthorizedError,
  ProviderUnavailableError,
} from '../../src/providers/errors.ts';
import { CircuitOpenError } from '../../src/providers/resilience/circuitOpenError.ts';
import { DEFAULT_RETRY_OPTIONS, retryDelayMs } from '../../src/providers/resilience/retryPolicy.ts';

const base = { provider: 'TRATA' as const, endpoint: 'conversations.list' };
const options = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 250, maxRetryAfterMs: 2000 };

describe('retryDelayMs', () => {
  it('retries outages, timeouts and 429s, and nothing the provider answered on purpose', () => {
    const always = () => 1;
    expect(retryDelayMs(new ProviderUnavailableError('503', base), 1, options, always)).toBe(100);
    expect(retryDelayMs(new ProviderTimeoutError('slow', base), 1, options, always)).toBe(100);
    expect(retryDelayMs(new ProviderRateLimitedError('429', base), 1, options, always)).toBe(100);
    expect(retryDelayMs(new ProviderBadResponseError('shape', base), 1, options, always)).toBeNull();
    expect(retryDelayMs(new ProviderUnauthorizedError('401', base), 1, options, always)).toBeNull();
    expect(retryDelayMs(new ProviderRejectedError('400', base), 1, options, always)).toBeNull();
    expect(retryDelayMs(new CircuitOpenError('open', base), 1, options, always)).toBeNull();
  });

  it('doubles the backoff step up to maxDelayMs and draws the delay below it (full jitter)', () => {
    const error = new ProviderUnavailableError('503', base);
    expect([1, 2, 3].map((retry) => retryDelayMs(error, retry, options, () => 1))).toEqual([100, 200, 250]);
    expect(retryDelayMs(error, 2, options, () => 0.5)).toBe(100);
    expect(retryDelayMs(error, 3, options, () => 0)).toBe(0);
  });

  it('stops after maxRetries', () => {
    const error = new ProviderTimeoutError('slow', base);
    expect(retryDelayMs(error, 3, options, () => 1)).not.toBeNull();
    expect(retryDelayMs(error, 4, options, () => 1)).toBeNull();
  });

  it('waits exactly what Retry-After asks, unjittered, and gives up when it asks for too long', () => {
    expect(retryDelayMs(new ProviderRateLimitedError('429', { ...base, retryAfterMs: 1500 }), 1, options, () => 0)).toBe(1500);
    expect(retryDelayMs(new ProviderUnavailableError('503', { ...base, retryAfterMs: 0 }), 1, options, () => 1)).toBe(0);
    expect(retryDelayMs(new ProviderRateLimitedError('429', { ...base, retryAfterMs: 2001 }), 1, options, () => 0)).toBeNull();
  });

  it('documents its defaults', () => {
    expect(DEFAULT_RETRY_OPTIONS).toEqual({ maxRetries: 2, baseDelayMs: 100, maxDelayMs: 2000, maxRetryAfterMs: 3000 });
  });
});
