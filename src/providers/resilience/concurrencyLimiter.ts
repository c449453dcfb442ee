export interface ConcurrencyLimiterOptions {
  /**
   * Upstream requests to one provider in flight at once, across all workspaces. A slow provider
   * then holds at most this many sockets and the rest wait in line instead of piling up.
   * @default 32
   */
  maxConcurrent: number;
  /**
   * Requests allowed to wait for a slot; one more is refused at once (PROVIDER_UNAVAILABLE),
   * so a stalled provider cannot make the gateway hoard requests without bound.
   * @default 1000
   */
  maxQueued: number;
}

export const DEFAULT_CONCURRENCY_LIMITER_OPTIONS: Readonly<ConcurrencyLimiterOptions> = Object.freeze({
  maxConcurrent: 32,
  maxQueued: 1000,
});

/** A counting semaphore with a first-come, first-served queue of bounded length. */
export class ConcurrencyLimiter {
  readonly #options: ConcurrencyLimiterOptions;
  readonly #waiting: (() => void)[] = [];
  #active = 0;

  constructor(options: Partial<ConcurrencyLimiterOptions> = {}) {
    this.#options = { ...DEFAULT_CONCURRENCY_LIMITER_OPTIONS, ...options };
  }

  /** Requests running now. */
  get active(): number {
    return this.#active;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.#waiting.length;
  }

  /** Whether `run` would have to refuse a new task right now. */
  get full(): boolean {
    return this.#active >= this.#options.maxConcurrent && this.#waiting.length >= this.#options.maxQueued;
  }

  /**
   * Runs `task` once a slot is free and frees the slot when it settles. Callers check `full`
   * first; a task offered while full still waits rather than being dropped.
   */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#options.maxConcurrent) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next in line, so `active` never dips and lets a newcomer jump the queue.
      if (next) next();
      else this.#active -= 1;
    }
  }
}
