import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { answerWithin } from '../answerWithin.ts';
import { EXPORT_KINDS, type ExportKind } from '../analytics/exports/exportKinds.ts';
import { EXPORT_OUTCOMES, type ExportOutcome } from '../analytics/exports/exportRoute.ts';
import { EXPORT_LIMIT_NAMES, type ExportRefusal } from '../analytics/exports/exportSlots.ts';
import type { Provider } from '../domain/types.ts';
import type { UpstreamRequestEnd } from '../providers/http.ts';
import type { CircuitState } from '../providers/resilience/circuitBreaker.ts';
import type { PoolStats } from '../store/database.ts';
import type { RateLimitedEntry } from '../limits/workspaceRateLimit.ts';
import type { BudgetGauge } from '../store/queries/storeGauges.ts';
import type { ItemState } from '../store/records.ts';
import { DEFAULT_STORE_CHECK_TIMEOUT_MS } from './readiness.ts';
import type { OperationOutcome } from './requestScope.ts';

/**
 * Where the gauges read their values at scrape time: small callbacks, so the store and the
 * resilience layer know nothing of Prometheus. A source that throws (the store is down) leaves
 * its gauges empty for that scrape instead of failing the whole page.
 */
export interface MetricSources {
  breakers?: () => { provider: Provider; state: CircuitState }[];
  budgets?: () => Promise<BudgetGauge[]>;
  /** Null when the store cannot be read without opening it (the gauge is then left out, not zeroed). */
  itemsByState?: () => Promise<Record<ItemState, number> | null>;
  pool?: () => PoolStats | null;
  /** Whether the embedded store's process runs now; null where there is none (PostgreSQL, an in-memory store). */
  storeProcessRunning?: () => boolean | null;
  /** Whether the change feed's listening connection is up; null where the feed needs none (the embedded store). */
  changeFeedListening?: () => boolean | null;
  /**
   * How long a scrape waits for the store's reads (`budgets`, `itemsByState`) before it answers
   * without their gauges, as `/readyz` waits for its ping. @default DEFAULT_STORE_CHECK_TIMEOUT_MS
   */
  storeReadTimeoutMs?: number;
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500];
const BREAKER_VALUE: Record<CircuitState, number> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };

/** Operation names are the client's words: past this many distinct ones, new names count as `other`. */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * The gateway's Prometheus metrics, in a registry of their own (one per gateway, so tests can run
 * several). Every label has a bounded set of values: operation names (capped, see
 * `operationLabel`), outcomes, providers, logical endpoints, HTTP statuses, loader names, item
 * states, budget keys (one per configured provider account), export kinds and export limits. No
 * request, conversation or batch id is ever a label, nor a workspace id.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #operationNames = new Set<string>();
  readonly #operations: Histogram<'operation' | 'outcome'>;
  readonly #upstream: Histogram<'provider' | 'endpoint' | 'status'>;
  readonly #rateLimited: Counter<'provider' | 'endpoint'>;
  readonly #loaderBatches: Histogram<'loader'>;
  readonly #exportsInProgress: Gauge<'kind'>;
  readonly #exportsFinished: Counter<'kind' | 'outcome'>;
  readonly #exportsRefused: Counter<'limit'>;
  readonly #requestsRateLimited: Counter<'workspace' | 'entry'>;

  constructor(sources: MetricSources = {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#operations = new Histogram({
      name: 'switchboard_graphql_operation_duration_seconds',
      help: 'GraphQL operations by name and outcome (success, partial, error) and their latency; _count is the number of operations',
      labelNames: ['operation', 'outcome'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.#upstream = new Histogram({
      name: 'switchboard_upstream_request_duration_seconds',
      help: 'Requests to the providers by provider, logical endpoint and HTTP status (timeout or network when none came back), and their latency',
      labelNames: ['provider', 'endpoint', 'status'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.#rateLimited = new Counter({
      name: 'switchboard_upstream_rate_limited_total',
      help: 'Provider answers with HTTP 429, by provider and logical endpoint',
      labelNames: ['provider', 'endpoint'],
      registers,
    });
    this.#loaderBatches = new Histogram({
      name: 'switchboard_dataloader_batch_size',
      help: 'Keys per DataLoader batch, by loader',
      labelNames: ['loader'],
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    });

    // The export series are this replica's (each replica has its own slots: sum them across
    // replicas). Every one is there from the start, at 0, so a rate over the first export or
    // refusal after a restart is not lost for want of an earlier sample.
    this.#exportsInProgress = new Gauge({
      name: 'switchboard_exports_in_progress',
      help: 'Exports holding one of this replica\'s export slots now, by kind (on PostgreSQL each holds a pool connection)',
      labelNames: ['kind'],
      registers,
    });
    this.#exportsFinished = new Counter({
      name: 'switchboard_exports_finished_total',
      help: 'Exports ended on this replica, by kind and outcome (complete, aborted: the client went away, stalled: cut off, failed: the store failed)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.#exportsRefused = new Counter({
      name: 'switchboard_exports_refused_total',
      help: 'Exports refused on this replica for capacity, by the limit reached (replica: 503, workspace: 429)',
      labelNames: ['limit'],
      registers,
    });
    for (const kind of EXPORT_KINDS) {
      this.#exportsInProgress.set({ kind }, 0);
      for (const outcome of EXPORT_OUTCOMES) this.#exportsFinished.inc({ kind, outcome }, 0);
    }
    for (const limit of EXPORT_LIMIT_NAMES) this.#exportsRefused.inc({ limit }, 0);
    // Labelled by workspace: which one is held back is the question; workspaces are configured, so the series are bounded.
    this.#requestsRateLimited = new Counter({
      name: 'switchboard_requests_rate_limited_total',
      help: 'Requests refused RATE_LIMITED on this replica (SWITCHBOARD_RATE_LIMIT_PER_MINUTE), by workspace and entry (graphql, subscription, export)',
      labelNames: ['workspace', 'entry'],
      registers,
    });

    const { breakers, budgets, itemsByState, pool, storeProcessRunning, changeFeedListening } = sources;
    const storeReadTimeoutMs = sources.storeReadTimeoutMs ?? DEFAULT_STORE_CHECK_TIMEOUT_MS;
    new Gauge({
      name: 'switchboard_circuit_breaker_state',
      help: 'Circuit breaker per provider: 0 closed, 1 half-open, 2 open',
      labelNames: ['provider'],
      registers,
      collect() {
        this.reset();
        for (const { provider, state } of breakers?.() ?? []) this.set({ provider }, BREAKER_VALUE[state]);
      },
    });
    // Before the gauges that read the store: prom-client collects every gauge of a scrape at once,
    // in this order, and read after their statements were queued the pool showed the scrape's own
    // reads as clients waiting for a connection on an idle replica (an operator trial).
    new Gauge({
      name: 'switchboard_store_pool_connections',
      help: 'PostgreSQL pool connections by state (idle, in_use, waiting for one, max); absent on PGlite',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        const stats = pool?.() ?? null;
        if (!stats) return;
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'in_use' }, stats.open - stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
        this.set({ state: 'max' }, stats.max);
      },
    });
    // Both budget gauges come from one read per scrape (collected concurrently), so a limit and
    // its held slots always describe the same moment.
    const budgetsOfThisScrape = sharedPerScrape(() => settle(budgets, storeReadTimeoutMs));
    new Gauge({
      name: 'switchboard_fanout_budget_limit',
      help: 'Concurrent conversations allowed per provider account (budget key): the provider\'s stated limit, else the configured one',
      labelNames: ['budget'],
      registers,
      async collect() {
        this.reset();
        for (const { budgetKey, limit } of (await budgetsOfThisScrape()) ?? []) this.set({ budget: budgetKey }, limit);
      },
    });
    new Gauge({
      name: 'switchboard_fanout_budget_slots_held',
      help: 'Slots held per provider account (budget key): items dispatching or created and not seen ending, all replicas',
      labelNames: ['budget'],
      registers,
      async collect() {
        this.reset();
        for (const { budgetKey, held } of (await budgetsOfThisScrape()) ?? []) this.set({ budget: budgetKey }, held);
      },
    });
    new Gauge({
      name: 'switchboard_fanout_batch_items',
      help: 'Batch items in the store by state, all replicas',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        for (const [state, count] of Object.entries((await settle(itemsByState, storeReadTimeoutMs)) ?? {})) this.set({ state }, count);
      },
    });
    onOffGauge(
      registers,
      'switchboard_store_process_running',
      "1 while the embedded store's process runs (it starts on a statement and stops once idle), 0 while it is stopped; absent on PostgreSQL",
      () => storeProcessRunning?.() ?? null,
    );
    onOffGauge(
      registers,
      'switchboard_change_feed_listening',
      "1 while this replica's change feed listens on PostgreSQL, 0 while its connection is lost and being reopened (its subscribers hear no changes then); absent on the embedded store",
      () => changeFeedListening?.() ?? null,
    );
  }

  observeOperation(operationName: string | null, outcome: OperationOutcome, seconds: number): void {
    this.#operations.observe({ operation: this.operationLabel(operationName), outcome }, seconds);
  }

  observeUpstream(provider: Provider, endpoint: string, end: UpstreamRequestEnd, seconds: number): void {
    const status = end.status === null ? end.failure : String(end.status);
    this.#upstream.observe({ provider, endpoint, status }, seconds);
    if (end.status === 429) this.#rateLimited.inc({ provider, endpoint });
  }

  observeLoaderBatch(loader: string, size: number): void {
    this.#loaderBatches.observe({ loader }, size);
  }

  /** An export took a slot. */
  observeExportStart(kind: ExportKind): void {
    this.#exportsInProgress.inc({ kind });
  }

  /** An export that took a slot ended (once per start). */
  observeExportEnd(kind: ExportKind, outcome: ExportOutcome['outcome']): void {
    this.#exportsInProgress.dec({ kind });
    this.#exportsFinished.inc({ kind, outcome });
  }

  observeExportRefused(limit: ExportRefusal['limit']): void {
    this.#exportsRefused.inc({ limit });
  }

  /** A workspace's request was refused for its request limit. */
  observeRateLimited(workspace: string, entry: RateLimitedEntry): void {
    this.#requestsRateLimited.inc({ workspace, entry });
  }

  /**
   * The label for an operation name: `-` for none (refused before parsing, or the landing page),
   * `other` for a name that is not a plain GraphQL name or arrives after `MAX_OPERATION_NAMES`
   * others, so a client cannot grow the series without bound.
   */
  operationLabel(name: string | null): string {
    if (name === null) return '-';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (this.#operationNames.has(name)) return name;
    if (this.#operationNames.size >= MAX_OPERATION_NAMES) return 'other';
    this.#operationNames.add(name);
    return name;
  }

  /** The exposition text and its content type, for GET /metrics. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** One call of `read` for everyone who asks while it runs: the gauges of one scrape share it. */
function sharedPerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => {
    pending ??= read().finally(() => {
      pending = null;
    });
    return pending;
  };
}

/**
 * What a store read gave, or null when it failed or did not answer within `timeoutMs`: a store
 * that hangs (a frozen embedded store process, a PostgreSQL lock) leaves its gauges out of that
 * scrape instead of hanging the scrape, and with it every other gauge.
 */
async function settle<T>(source: (() => Promise<T>) | undefined, timeoutMs: number): Promise<T | null> {
  if (!source) return null;
  try {
    const answer = await answerWithin(source(), timeoutMs);
    return answer.answered ? answer.value : null;
  } catch {
    return null;
  }
}

/**
 * A gauge without labels that reads 1 or 0, and has no sample while `read` says null (the thing it
 * watches does not exist in this deployment). A label-less prom-client gauge always has a sample,
 * 0 after a reset: the embedded store showed `switchboard_change_feed_listening 0`, which the
 * documented alert fires on forever (a new-user trial). So its `get` leaves the values out then.
 */
function onOffGauge(registers: Registry[], name: string, help: string, read: () => boolean | null): void {
  const gauge = new Gauge({ name, help, registers });
  const get = gauge.get.bind(gauge);
  gauge.get = async () => {
    const reading = read();
    if (reading !== null) gauge.set(reading ? 1 : 0);
    const metric = await get();
    return reading === null ? { ...metric, values: [] } : metric;
  };
}
