import { describe, expect, it } from 'vitest';
import { deriveBatchStatus } from '../../src/fanout/batchStatus.ts';
import { classifyCreateFailure } from '../../src/fanout/classifyCreateFailure.ts';
import { WakeSignal } from '../../src/fanout/wakeSignal.ts';
import {
  ProviderBadResponseError,
  ProviderRateLimitedError,
  ProviderRejectedError,
  ProviderTimeoutError,
  ProviderUnauthorizedError,
  ProviderUnavailableError,
} from '../../src/providers/errors.ts';
import { CircuitOpenError } from '../../src/providers/resilience/circuitOpenError.ts';
import { emptyStateCounts, type ItemStateCounts } from '../../src/store/records.ts';

const counts = (overrides: Partial<ItemStateCounts>): ItemStateCounts => ({ ...emptyStateCounts(), ...overrides });

describe('deriveBatchStatus', () => {
  it('follows the items', () => {
    expect(deriveBatchStatus(counts({ QUEUED: 3 }))).toBe('QUEUED');
    expect(deriveBatchStatus(counts({ QUEUED: 2, DISPATCHING: 1 }))).toBe('RUNNING');
    expect(deriveBatchStatus(counts({ ENDED: 2, CREATED: 1 }))).toBe('RUNNING');
    expect(deriveBatchStatus(counts({ ENDED: 3 }))).toBe('COMPLETED');
    expect(deriveBatchStatus(counts({ ENDED: 2, FAILED: 1 }))).toBe('COMPLETED_WITH_ERRORS');
    expect(deriveBatchStatus(counts({ ENDED: 2, UNRESOLVED: 1 }))).toBe('COMPLETED_WITH_ERRORS');
    expect(deriveBatchStatus(counts({ ENDED: 2, CANCELLED: 5 }))).toBe('CANCELLED');
    expect(deriveBatchStatus(counts({ CREATED: 2, CANCELLED: 5 }))).toBe('RUNNING');
  });
});

describe('classifyCreateFailure', () => {
  const base = { provider: 'ORATION' as const, endpoint: 'conversations.create' };
  const allOrNothing = { allOrNothing: true };
  it('requeues only when the provider provably created nothing', () => {
    expect(classifyCreateFailure(new ProviderRateLimitedError('429', { ...base, retryAfterMs: 2000 }), allOrNothing)).toEqual({
      kind: 'RATE_LIMITED',
      retryAfterMs: 2000,
      createdNothing: true,
      reason: '429',
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(classifyCreateFailure(new ProviderUnavailableError('down', { ...base, cause: refused }), allOrNothing).kind).toBe('NOT_SENT');
    expect(classifyCreateFailure(new CircuitOpenError('open', { ...base, retryAfterMs: 5_000 }), allOrNothing)).toMatchObject({
      kind: 'NOT_SENT',
      retryAfterMs: 5_000,
    });
  });
  it('fails items the provider refused and leaves every unclear answer to reconciliation', () => {
    expect(classifyCreateFailure(new ProviderRejectedError('400', { ...base, httpStatus: 400 }), allOrNothing).kind).toBe('REFUSED');
    expect(classifyCreateFailure(new ProviderUnauthorizedError('401', base), allOrNothing).kind).toBe('REFUSED');
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyCreateFailure(new ProviderUnavailableError('reset', { ...base, cause: reset }), allOrNothing).kind).toBe('AMBIGUOUS');
    expect(classifyCreateFailure(new ProviderUnavailableError('503', { ...base, httpStatus: 503 }), allOrNothing).kind).toBe('AMBIGUOUS');
    expect(classifyCreateFailure(new ProviderTimeoutError('slow', base), allOrNothing).kind).toBe('AMBIGUOUS');
    expect(classifyCreateFailure(new ProviderBadResponseError('garbled', base), allOrNothing).kind).toBe('AMBIGUOUS');
    expect(classifyCreateFailure(new TypeError('bug'), allOrNothing).kind).toBe('AMBIGUOUS');
  });
});

describe('WakeSignal', () => {
  it('remembers a wake that came while nobody waited, once', async () => {
    const signal = new WakeSignal();
    signal.wake();
    expect(signal.pending).toBe(true);
    await signal.wait(60_000); // returns at once
    expect(signal.pending).toBe(false);
    const waiting = signal.wait(60_000);
    signal.wake();
    await waiting;
    expect(signal.pending).toBe(false);
  });
});
