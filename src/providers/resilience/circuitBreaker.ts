export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

export interface CircuitBreakerOptions {
  /**
   * Consecutive failures (5xx, connection failures, timeouts) that open the circuit. Answers the
   * provider gave on purpose (4xx, 429, a body that breaks the contract) reset the count: the
   * provider is up.
   * @default 5
   */
  failureThreshold: number;
  /**
   * How long an open circuit fails fast before it lets one probe request through (half-open).
   * @default 10000
   */
  cooldownMs: number;
}

export const DEFAULT_CIRCUIT_BREAKER_OPTIONS: Readonly<CircuitBreakerOptions> = Object.freeze({
  failureThreshold: 5,
  cooldownMs: 10_000,
});

/** What the breaker decided for one call. */
export type CircuitAdmission = { admitted: true; probe: boolean } | { admitted: false; retryAfterMs: number };

/**
 * A circuit breaker for one provider. CLOSED: every call goes through and consecutive failures
 * are counted. OPEN: calls fail fast until `cooldownMs` has passed. HALF_OPEN: exactly one probe
 * goes through while the others keep failing fast; its success closes the circuit, its failure
 * opens it for another cool-down.
 *
 * Time comes from `now`, and the breaker never sets a timer: state moves on when a call asks,
 * so nothing needs stopping and tests can drive the clock.
 */
export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  readonly #now: () => number;
  readonly #onStateChange: (state: CircuitState) => void;
  #state: CircuitState = 'CLOSED';
  #consecutiveFailures = 0;
  #openedAt = 0;
  #probeInFlight = false;

  constructor(
    options: Partial<CircuitBreakerOptions> = {},
    hooks: { now?: () => number; onStateChange?: (state: CircuitState) => void } = {},
  ) {
    this.#options = { ...DEFAULT_CIRCUIT_BREAKER_OPTIONS, ...options };
    this.#now = hooks.now ?? Date.now;
    this.#onStateChange = hooks.onStateChange ?? (() => {});
  }

  get state(): CircuitState {
    return this.#state;
  }

  /**
   * Whether a call would be refused now: OPEN and still cooling down. An OPEN breaker whose
   * cool-down has passed admits a probe, so it does not count (readiness must not wait for a call
   * that only traffic would bring).
   */
  get failingFast(): boolean {
    return this.#state === 'OPEN' && this.#openedAt + this.#options.cooldownMs > this.#now();
  }

  /** Asks to make one call. An admitted call must be followed by `recordSuccess` or `recordFailure`. */
  admit(): CircuitAdmission {
    if (this.#state === 'OPEN') {
      const remaining = this.#openedAt + this.#options.cooldownMs - this.#now();
      if (remaining > 0) return { admitted: false, retryAfterMs: remaining };
      this.#moveTo('HALF_OPEN');
    }
    if (this.#state === 'HALF_OPEN') {
      if (this.#probeInFlight) return { admitted: false, retryAfterMs: 0 };
      this.#probeInFlight = true;
      return { admitted: true, probe: true };
    }
    return { admitted: true, probe: false };
  }

  recordSuccess(): void {
    this.#consecutiveFailures = 0;
    this.#probeInFlight = false;
    if (this.#state !== 'CLOSED') this.#moveTo('CLOSED');
  }

  recordFailure(): void {
    this.#probeInFlight = false;
    this.#consecutiveFailures += 1;
    if (this.#state === 'HALF_OPEN' || (this.#state === 'CLOSED' && this.#consecutiveFailures >= this.#options.failureThreshold)) {
      this.#openedAt = this.#now();
      this.#moveTo('OPEN');
    }
  }

  #moveTo(state: CircuitState): void {
    this.#state = state;
    this.#onStateChange(state);
  }
}
