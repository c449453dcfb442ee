import type { Provider } from '../domain/types.ts';
import { answerWithin } from '../answerWithin.ts';
import { redact } from '../logger.ts';

/** How long a check of the store (`/readyz`'s ping, a scrape's store gauges) waits for its answer. */
export const DEFAULT_STORE_CHECK_TIMEOUT_MS = 2_000;

/** One check of `/readyz`: passed, or why not. */
export interface ReadinessCheck {
  ok: boolean;
  reason?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: { shutdown: ReadinessCheck; store: ReadinessCheck; providers: ReadinessCheck };
}

export interface ReadinessSources {
  /** A cheap query that proves the store answers (`SELECT 1`). */
  pingStore: () => Promise<unknown>;
  /** Whether each provider's circuit breaker is failing fast now. */
  breakers: () => { provider: Provider; failingFast: boolean }[];
  /** How long the store may take to answer before it counts as unreachable. @default DEFAULT_STORE_CHECK_TIMEOUT_MS */
  storeTimeoutMs?: number;
}

/**
 * Whether this replica should be sent traffic: not shutting down, the store answering, and at
 * least one provider not failing fast (with every breaker open, every query would fail; with some
 * open, the others still answer and partial data is the gateway's normal way to degrade). Liveness
 * (`/healthz`) is separate and never depends on these: a replica that cannot reach its store
 * should be taken out of rotation, not restarted.
 */
export class Readiness {
  readonly #sources: ReadinessSources;
  #shuttingDown = false;

  constructor(sources: ReadinessSources) {
    this.#sources = sources;
  }

  /** From now on `/readyz` answers 503, so load balancers stop sending new requests. */
  markShuttingDown(): void {
    this.#shuttingDown = true;
  }

  async check(): Promise<ReadinessReport> {
    const shutdown: ReadinessCheck = this.#shuttingDown ? { ok: false, reason: 'shutting down' } : { ok: true };
    const [store, providers] = await Promise.all([this.#checkStore(), Promise.resolve(this.#checkProviders())]);
    return { ready: shutdown.ok && store.ok && providers.ok, checks: { shutdown, store, providers } };
  }

  async #checkStore(): Promise<ReadinessCheck> {
    const timeoutMs = this.#sources.storeTimeoutMs ?? DEFAULT_STORE_CHECK_TIMEOUT_MS;
    try {
      if ((await answerWithin(this.#sources.pingStore(), timeoutMs)).answered) return { ok: true };
      return { ok: false, reason: `store unreachable: no answer within ${timeoutMs} ms` };
    } catch (error) {
      return { ok: false, reason: `store unreachable: ${redact(error instanceof Error ? error.message : String(error))}` };
    }
  }

  #checkProviders(): ReadinessCheck {
    const breakers = this.#sources.breakers();
    const open = breakers.filter((breaker) => breaker.failingFast).map((breaker) => breaker.provider);
    if (breakers.length > 0 && open.length === breakers.length) {
      return { ok: false, reason: `every provider's circuit breaker is open: ${open.join(', ')}` };
    }
    return open.length > 0 ? { ok: true, reason: `circuit breaker open: ${open.join(', ')}` } : { ok: true };
  }
}
