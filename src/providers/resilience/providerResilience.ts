import type { Provider } from '../../domain/types.ts';
import type { Logger } from '../../logger.ts';
import { isProviderError, ProviderTimeoutError, ProviderUnavailableError } from '../errors.ts';
import { CircuitBreaker, DEFAULT_CIRCUIT_BREAKER_OPTIONS, type CircuitBreakerOptions } from './circuitBreaker.ts';
import { CircuitOpenError } from './circuitOpenError.ts';
import { ConcurrencyLimiter, DEFAULT_CONCURRENCY_LIMITER_OPTIONS, type ConcurrencyLimiterOptions } from './concurrencyLimiter.ts';
import { DEFAULT_RETRY_OPTIONS, retryDelayMs, type RetryOptions } from './retryPolicy.ts';
import { UpstreamQueueFullError } from './upstreamQueueFullError.ts';

export interface ResilienceOptions {
  retry: RetryOptions;
  breaker: CircuitBreakerOptions;
  concurrency: ConcurrencyLimiterOptions;
}

export const DEFAULT_RESILIENCE_OPTIONS: Readonly<ResilienceOptions> = Object.freeze({
  retry: DEFAULT_RETRY_OPTIONS,
  breaker: DEFAULT_CIRCUIT_BREAKER_OPTIONS,
  concurrency: DEFAULT_CONCURRENCY_LIMITER_OPTIONS,
});

/** Injected so tests drive time instead of waiting for it. */
export interface ResilienceHooks {
  /** @default Date.now */
  now?: () => number;
  /** @default setTimeout-based */
  sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  random?: () => number;
  logger?: Logger;
}

/** What the caller tells the policy about one upstream call. */
export interface UpstreamCall {
  /** Logical endpoint, for errors and logs. */
  endpoint: string;
  /** True for reads: only those are retried. */
  idempotent: boolean;
  /**
   * The provider account making the call (`upstreamAccountOf`, never a secret): the unit of the
   * fair share of the provider's concurrency and of the waiting-line bound.
   */
  account: string;
}

/**
 * Everything that protects one provider, shared by every workspace's connector for it: the
 * circuit breaker, the cap on concurrent requests, and the retry policy. One call goes:
 *
 *   own line full? -> refuse | breaker open? -> fail fast | wait for a slot -> attempt
 *   -> failure on a read that is worth retrying -> sleep (Retry-After or jittered backoff) -> again
 *
 * The slot is released while sleeping, so a provider's backoff does not starve other calls. Once
 * the breaker opens during retries the loop stops and the caller gets the real failure.
 *
 * The concurrency cap is shared fairly between provider accounts (each waits in its own bounded
 * line; a freed slot goes to the account holding fewest, see `ConcurrencyLimiter`), so one
 * account's load cannot refuse or starve another's. The circuit breaker stays one per provider:
 * what opens it (5xx, connection failures, timeouts) says the provider is down for everyone, and
 * answers that concern one account only (401/403, 429, other 4xx) never count towards it. A
 * breaker per account would let every account pay `failureThreshold` failures of an outage before
 * failing fast. The price: timeouts that only one account suffers (a huge account's slow list)
 * count towards everyone's breaker too.
 */
export class ProviderResilience {
  readonly provider: Provider;
  readonly breaker: CircuitBreaker;
  readonly limiter: ConcurrencyLimiter;
  readonly #retry: RetryOptions;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #logger: Logger | undefined;

  constructor(provider: Provider, options: Partial<ResilienceOptions> = {}, hooks: ResilienceHooks = {}) {
    this.provider = provider;
    this.#retry = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };
    this.#sleep = hooks.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = hooks.random ?? Math.random;
    this.#logger = hooks.logger;
    this.limiter = new ConcurrencyLimiter(options.concurrency);
    this.breaker = new CircuitBreaker(options.breaker, {
      ...(hooks.now && { now: hooks.now }),
      onStateChange: (state) => {
        const log = state === 'OPEN' ? this.#logger?.warn : this.#logger?.info;
        log?.(`circuit breaker for ${provider} is now ${state}`, { provider, circuit: state });
      },
    });
  }

  async execute<T>(call: UpstreamCall, attempt: () => Promise<T>): Promise<T> {
    const { provider } = this;
    let lastError: unknown = null;
    for (let retry = 0; ; retry++) {
      if (this.limiter.isFull(call.account)) {
        throw new UpstreamQueueFullError(`Too many requests to ${provider} on this workspace's account are waiting; try again shortly`, {
          provider,
          endpoint: call.endpoint,
        });
      }
      const admission = this.breaker.admit();
      if (!admission.admitted) {
        if (lastError !== null) throw lastError;
        throw new CircuitOpenError(`${provider} is failing; the gateway stopped calling it for a moment`, {
          provider,
          endpoint: call.endpoint,
          retryAfterMs: admission.retryAfterMs,
        });
      }

      try {
        const result = await this.limiter.run(call.account, attempt);
        this.breaker.recordSuccess();
        return result;
      } catch (error) {
        if (countsAsOutage(error)) this.breaker.recordFailure();
        else this.breaker.recordSuccess(); // the provider answered, even if it said no
        lastError = error;
        const delay = call.idempotent && isProviderError(error) ? retryDelayMs(error, retry + 1, this.#retry, this.#random) : null;
        this.#logger?.warn('upstream call failed', {
          provider,
          endpoint: call.endpoint,
          code: isProviderError(error) ? error.code : 'INTERNAL_SERVER_ERROR',
          httpStatus: isProviderError(error) ? error.httpStatus : undefined,
          attempt: retry + 1,
          retryInMs: delay ?? undefined,
          reason: error instanceof Error ? error.message : String(error),
        });
        if (delay === null) throw error;
        await this.#sleep(delay);
      }
    }
  }
}

/** Failures that say the provider is unwell, as opposed to answers it gave on purpose. */
function countsAsOutage(error: unknown): boolean {
  return error instanceof ProviderUnavailableError || error instanceof ProviderTimeoutError;
}
