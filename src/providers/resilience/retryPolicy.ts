import { ProviderRateLimitedError, ProviderTimeoutError, ProviderUnavailableError, type ProviderError } from '../errors.ts';

export interface RetryOptions {
  /**
   * Further attempts after the first one fails. Reads only: a create is never retried here,
   * because a request that timed out or lost its connection may have been carried out.
   * @default 2
   */
  maxRetries: number;
  /**
   * First backoff step; each further retry doubles it. The delay actually waited is drawn
   * uniformly between zero and the step ("full jitter"), so clients that failed together do not
   * come back together.
   * @default 100
   */
  baseDelayMs: number;
  /**
   * Largest backoff step.
   * @default 2000
   */
  maxDelayMs: number;
  /**
   * Longest `Retry-After` (or rate-limit reset) the gateway waits out before retrying. A provider
   * asking for longer gets no retry; the client receives the error with `retryAfterSeconds`
   * instead of a request that hangs.
   * @default 3000
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = Object.freeze({
  maxRetries: 2,
  baseDelayMs: 100,
  maxDelayMs: 2000,
  maxRetryAfterMs: 3000,
});

/**
 * How long to wait before retry number `retry` (1-based) after `error`, or null when the error
 * is not worth retrying. Retried: 5xx and connection failures, timeouts, and 429. Not retried:
 * responses that break the contract, refused credentials, other 4xx (the same request would get
 * the same answer), and a fail-fast from the circuit breaker.
 *
 * When the provider said how long to wait (`Retry-After`, then the rate-limit reset), that is the
 * delay: honoured exactly, never shortened by jitter. Otherwise exponential backoff with full jitter.
 */
export function retryDelayMs(
  error: ProviderError,
  retry: number,
  options: RetryOptions,
  random: () => number = Math.random,
): number | null {
  if (retry > options.maxRetries || !isRetryable(error)) return null;
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs <= options.maxRetryAfterMs ? error.retryAfterMs : null;
  }
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.round(random() * step);
}

function isRetryable(error: ProviderError): boolean {
  return error instanceof ProviderUnavailableError || error instanceof ProviderTimeoutError || error instanceof ProviderRateLimitedError;
}
