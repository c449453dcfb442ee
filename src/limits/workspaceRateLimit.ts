import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** A request over the workspace's limit: when to retry, and the limit it passed (every entry point's error extensions, as they are). */
export interface RateLimitRefusal {
  retryAfterSeconds: number;
  /** Requests admitted per window (named apart from TOO_MANY_EXPORTS's `limit`, which names which limit). */
  maxRequests: number;
  windowSeconds: number;
}

/** Where a counted request came in: the label of `switchboard_requests_rate_limited_total`. */
export type RateLimitedEntry = 'graphql' | 'subscription' | 'export';

/**
 * Requests per workspace and window on this replica (`SWITCHBOARD_RATE_LIMIT_PER_MINUTE`): every
 * GraphQL operation over HTTP, every subscription started over WebSocket and every export counts
 * one, after its API key is known and before anything else is read. So one client cannot take a
 * replica's CPU or its provider accounts' request budgets from the others. Counted in memory,
 * per replica (N replicas admit N times the limit): a shared count would put a store round trip
 * before every request. rate-limiter-flexible's fixed windows, rather than our own counter.
 */
export class WorkspaceRateLimit {
  readonly limit: number;
  readonly windowSeconds: number;
  readonly #limiter: RateLimiterMemory;

  readonly #onRefused: ((refused: { workspaceId: string; entry: RateLimitedEntry }) => void) | undefined;

  constructor(options: {
    requestsPerWindow: number;
    windowSeconds?: number;
    /** Told of each refusal (the metric): the access log does not see a WebSocket's or an export's. */
    onRefused?: (refused: { workspaceId: string; entry: RateLimitedEntry }) => void;
  }) {
    this.limit = options.requestsPerWindow;
    this.windowSeconds = options.windowSeconds ?? 60;
    this.#limiter = new RateLimiterMemory({ points: this.limit, duration: this.windowSeconds });
    this.#onRefused = options.onRefused;
  }

  /** Counts one request of `workspaceId` come in by `entry`: null when admitted, the refusal when over the limit. */
  async admit(workspaceId: string, entry: RateLimitedEntry): Promise<RateLimitRefusal | null> {
    try {
      await this.#limiter.consume(workspaceId);
      return null;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      this.#onRefused?.({ workspaceId, entry });
      return { retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)), maxRequests: this.limit, windowSeconds: this.windowSeconds };
    }
  }
}

/** What a refused client reads, on every entry point. */
export function rateLimitMessage(refusal: RateLimitRefusal): string {
  return (
    `This workspace sent more than ${refusal.maxRequests} requests in ${refusal.windowSeconds} s, its limit on this replica ` +
    `(SWITCHBOARD_RATE_LIMIT_PER_MINUTE); retry in ${refusal.retryAfterSeconds} s`
  );
}
