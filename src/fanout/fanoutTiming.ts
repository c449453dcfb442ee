/** How the fan-out paces itself. Every field has a default suited to production. */
export interface FanoutTiming {
  /**
   * How often the status of created conversations is polled; a slot is noticed free at most
   * this long after its conversation ends. Tests and the benchmark use ~250.
   * @default 1000
   */
  pollIntervalMs: number;
  /**
   * How long a replica's claim on a DISPATCHING item lasts. Must exceed the connector's request
   * timeout by a margin: once it expires, another replica may reconcile the item, and a create
   * still running then could make reconciliation conclude "not created" too early.
   * @default 60000
   */
  leaseMs: number;
  /**
   * The connector's timeout for one create request, from the moment it is handed to the network.
   * Part of the landing window (see `createLandingWindowMs`): a create may reach the provider and
   * be carried out until the gateway gives up on it. Must equal the upstream client's timeout
   * (`SWITCHBOARD_UPSTREAM_TIMEOUT_MS`); the runtime passes it.
   * @default 10000
   */
  upstreamTimeoutMs: number;
  /**
   * Longest time between claiming an item (DISPATCHING, `dispatched_at`) and handing its create
   * to the network. A create that waited longer (in the upstream queue, behind a stalled event
   * loop) is not sent at all and its items go back to the queue, so no create can start later than
   * `dispatched_at + sendWindowMs`.
   * @default 2000
   */
  sendWindowMs: number;
  /**
   * How long a provider may still be carrying out a create after the gateway stopped waiting for
   * it (the request timed out or the socket died). An assumption about the provider, written down
   * in src/fanout/README.md; the simulators finish a create within its answer delay.
   * @default 5000
   */
  providerSettleMs: number;
  /**
   * After a create without a clear answer (timeout, reset, 5xx, garbled body), how long after its
   * dispatch to wait before asking the provider what it created; also the least time between a
   * dispatch and its reconciliation after this replica restarts. Never shorter than the landing
   * window (`sendWindowMs + upstreamTimeoutMs + providerSettleMs`): before then a create may
   * still land, and a lookup that misses it would requeue it and dial the customer twice.
   * @default the landing window
   */
  reconcileGraceMs: number;
  /**
   * How often DISPATCHING items whose lease expired are looked for. Only crashes and unclear
   * create answers leave such items, so this need not follow the (faster) poll.
   * @default 1000
   */
  reconcileIntervalMs: number;
  /** Wait between reconciliation attempts when the provider cannot answer. @default 5000 */
  reconcileRetryMs: number;
  /** Failed reconciliation attempts before an item is reported UNRESOLVED. @default 5 */
  maxReconcileAttempts: number;
  /** Margin subtracted from the dispatch time when asking which conversations exist (clock skew). @default 300000 */
  reconcileLookbackMs: number;
  /**
   * How long the provider's last word on remaining slots is trusted. Afterwards the local count
   * rules until the next answer (a create probes the provider again and, on 429, backs off).
   * @default 5000
   */
  observationTtlMs: number;
  /** Wait after a 429 that named no Retry-After. @default 1000 */
  defaultRetryAfterMs: number;
  /** Wait before sending again after the provider could not even be reached. @default 1000 */
  unreachableBackoffMs: number;
  /** How often a replica looks for budgets with work that other replicas queued. @default 1000 */
  discoveryIntervalMs: number;
  /** Wait after an unexpected error (e.g. the database went away) before a loop tries again. @default 1000 */
  errorBackoffMs: number;
}

export const DEFAULT_FANOUT_TIMING: FanoutTiming = {
  pollIntervalMs: 1_000,
  leaseMs: 60_000,
  upstreamTimeoutMs: 10_000,
  sendWindowMs: 2_000,
  providerSettleMs: 5_000,
  reconcileGraceMs: 17_000,
  reconcileIntervalMs: 1_000,
  reconcileRetryMs: 5_000,
  maxReconcileAttempts: 5,
  reconcileLookbackMs: 300_000,
  observationTtlMs: 5_000,
  defaultRetryAfterMs: 1_000,
  unreachableBackoffMs: 1_000,
  discoveryIntervalMs: 1_000,
  errorBackoffMs: 1_000,
};

/**
 * The longest time after an item's dispatch during which its create can still land at the
 * provider: handed to the network within `sendWindowMs`, given up on `upstreamTimeoutMs` later,
 * and carried out by the provider within `providerSettleMs` after that. Only a lookup made after
 * this window can prove that nothing was created.
 */
export function createLandingWindowMs(timing: Pick<FanoutTiming, 'sendWindowMs' | 'upstreamTimeoutMs' | 'providerSettleMs'>): number {
  return timing.sendWindowMs + timing.upstreamTimeoutMs + timing.providerSettleMs;
}

/** A timing that would let "not found" be believed while a create can still land. */
export class UnsafeFanoutTimingError extends RangeError {
  override readonly name = 'UnsafeFanoutTimingError';
  readonly field: 'reconcileGraceMs' | 'leaseMs';
  constructor(field: 'reconcileGraceMs' | 'leaseMs', message: string) {
    super(message);
    this.field = field;
  }
}

/**
 * Defaults filled in, `reconcileGraceMs` derived from the landing window when not given, and the
 * safety rules checked: a grace or a lease shorter than the landing window is refused, never
 * silently lengthened, so a misconfiguration is seen at start and not as a customer dialed twice.
 */
export function resolveTiming(overrides: Partial<FanoutTiming> | undefined): FanoutTiming {
  const base = { ...DEFAULT_FANOUT_TIMING, ...overrides };
  const landingWindowMs = createLandingWindowMs(base);
  const timing = { ...base, reconcileGraceMs: overrides?.reconcileGraceMs ?? landingWindowMs };
  for (const [name, value] of Object.entries(timing)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`Fan-out timing ${name} must be a non-negative number`);
  }
  if (timing.maxReconcileAttempts < 1) throw new RangeError('Fan-out timing maxReconcileAttempts must be at least 1');
  if (timing.reconcileGraceMs < landingWindowMs) {
    throw new UnsafeFanoutTimingError(
      'reconcileGraceMs',
      `Fan-out timing reconcileGraceMs (${timing.reconcileGraceMs} ms) must be at least the create landing window ` +
        `(send window ${timing.sendWindowMs} + upstream timeout ${timing.upstreamTimeoutMs} + provider settle ${timing.providerSettleMs} = ${landingWindowMs} ms)`,
    );
  }
  if (timing.leaseMs <= landingWindowMs) {
    throw new UnsafeFanoutTimingError(
      'leaseMs',
      `Fan-out timing leaseMs (${timing.leaseMs} ms) must exceed the create landing window (${landingWindowMs} ms)`,
    );
  }
  return timing;
}
