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
   * After a create without a clear answer (timeout, reset, 5xx, garbled body), how long to wait
   * before asking the provider what it created, so a create still running there can finish. Also
   * the least time between a dispatch and its reconciliation after this replica restarts: a create
   * sent just before a crash may still be running at the provider.
   * @default 5000
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
  reconcileGraceMs: 5_000,
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

export function resolveTiming(overrides: Partial<FanoutTiming> | undefined): FanoutTiming {
  const timing = { ...DEFAULT_FANOUT_TIMING, ...overrides };
  for (const [name, value] of Object.entries(timing)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`Fan-out timing ${name} must be a non-negative number`);
  }
  if (timing.maxReconcileAttempts < 1) throw new RangeError('Fan-out timing maxReconcileAttempts must be at least 1');
  return timing;
}
