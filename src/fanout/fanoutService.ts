import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Provider } from '../domain/types.ts';
import type { BudgetDescriptor, ProviderConnector } from '../providers/connector.ts';
import type { Database, Queryable } from '../store/database.ts';
import { findWorkspaceItemsByRequestIds, listBatchItems } from '../store/queries/batchItems.ts';
import {
  cancelBatch,
  countBatches,
  findBatch,
  findBatchByIdempotencyKey,
  findBatches,
  insertBatchWithItems,
  isUuid,
  listBatches,
  type BatchPosition,
} from '../store/queries/batches.ts';
import { listActiveBudgetKeys, upsertBudget } from '../store/queries/budgets.ts';
import { findItemHoldingConversation } from '../store/queries/conversationItems.ts';
import { recordConversationProgress } from '../store/queries/polling.ts';
import { expireLeasesOf } from '../store/queries/reconciliation.ts';
import type { BatchRecord, NewBatchItem } from '../store/records.ts';
import type { CreateBatchInput } from './batchInput.ts';
import { isFinalBatchStatus } from './batchStatus.ts';
import { BatchValidationError } from './batchValidationError.ts';
import { BudgetWorker } from './budgetWorker.ts';
import { checkAgentsExist, type AgentLookup } from './checkAgentsExist.ts';
import { systemClock, type Clock } from './clock.ts';
import type { FanoutContext, FanoutObserver } from './fanoutContext.ts';
import { resolveTiming, type FanoutTiming } from './fanoutTiming.ts';
import { IdempotencyConflictError } from './idempotencyConflictError.ts';
import { requestHash } from './requestHash.ts';
import { validateBatchInput, type CreationSupport } from './validateBatchInput.ts';
import { toBatchItemView, toBatchView, type BatchItemView, type BatchView } from './views.ts';
import { WakeSignal } from './wakeSignal.ts';

export interface FanoutServiceOptions {
  database: Database;
  /**
   * Names this replica in the leases it takes. Keep it stable across restarts of the same
   * replica (e.g. the host name): on start, leftovers under this id are reconciled at once
   * instead of after their leases expire.
   */
  replicaId: string;
  /** @default the system clock */
  clock?: Clock;
  /**
   * The workspace's connector for a provider; throws when the workspace has no account there. Its
   * `creator` (when present) says everything the fan-out needs: chunk size, all-or-nothing, the
   * budget key and limit, reconciliation and status reads.
   */
  connectorFor: (workspaceId: string, provider: Provider) => ProviderConnector;
  timing?: Partial<FanoutTiming>;
  /**
   * The store held no unfinished item at start and no other process can write it (PGlite under
   * its lease): `start` then neither reconciles nor looks for work, so the store is not touched
   * until a batch is created here (which wakes its budget directly). @default false
   */
  nothingPendingAtStart?: boolean;
  /**
   * No other process writes the store (PGlite under its lease), so no work appears in it but what
   * this process creates, and that wakes its budget directly: the look for work started because
   * some was pending at start ends once it finds none, and the store can go idle. @default false
   */
  soleWriter?: boolean;
  /** Errors the engine survives and retries; defaults to a one-line warning on stderr. */
  onError?: (error: unknown, during: string) => void;
}

/**
 * A page of the fan-out's lists, by decoded position: cursors, and the bounds of `first`, belong to
 * the GraphQL layer's one paging module (`src/read/cursor.ts`).
 */
export interface PageRequest<P> {
  /** @default DEFAULT_PAGE_SIZE */
  first?: number;
  /** Start strictly after this position; null or absent for the first page. */
  after?: P | null;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
}

export const DEFAULT_PAGE_SIZE = 50;
/** Longest a caller may wait for a batch in one call. */
export const MAX_WAIT_SECONDS = 60;

/**
 * The fan-out's public surface, for the GraphQL layer: store batches of conversations to create,
 * report on them, cancel them, and (between `start` and `stop`) dispatch them within each
 * provider account's concurrency budget. Every read and write is scoped by workspace: another
 * workspace's batch is simply not found.
 */
export class FanoutService {
  readonly #ctx: FanoutContext;
  readonly #options: FanoutServiceOptions;
  readonly #workers = new Map<string, BudgetWorker>();
  /**
   * Runs code in the async context the service was made in. A worker is often first woken by a
   * `createConversations` request; started in that request's async context, its loops would carry
   * whatever an AsyncLocalStorage holds there (an OpenTelemetry context manager's active span, if
   * one is registered) for the rest of their life. The gateway's own request scope is passed
   * explicitly and cannot leak this way.
   */
  readonly #inOwnContext = AsyncLocalStorage.snapshot();
  readonly #discoveryWake = new WakeSignal();
  /** Aborted by `stop`: a caller waiting for a batch (`waitForBatch`) is answered at once. */
  #stopping = new AbortController();
  #discovery: Promise<void> | null = null;
  #running = false;

  constructor(options: FanoutServiceOptions) {
    this.#options = options;
    this.#ctx = {
      db: options.database,
      replicaId: options.replicaId,
      clock: options.clock ?? systemClock,
      timing: resolveTiming(options.timing),
      creatorFor: (workspaceId, provider) => {
        const { creator } = options.connectorFor(workspaceId, provider);
        if (!creator) throw new Error(`${provider} cannot place conversations`);
        return creator;
      },
      reportError:
        options.onError ??
        ((error, during) => console.warn(`[fanout] ${during}: ${error instanceof Error ? error.message : String(error)}`)),
      observer: null,
    };
  }

  /** Reports what the fan-out reads and changes to the change feed from now on (set once the feed exists). */
  observe(observer: FanoutObserver | null): void {
    this.#ctx.observer = observer;
  }

  /**
   * Validates the request whole (nothing is stored if any item is wrong; every problem is
   * named), then stores the batch and its items in one transaction, QUEUED, and wakes the
   * dispatcher. With an idempotency key, a repeat of the same request returns the first batch.
   * @throws BatchValidationError, IdempotencyConflictError, or a ProviderError when the agents
   *   could not be looked up.
   * @param connectors The requesting operation's connectors, so that the agent check counts as its
   *   upstream requests (access line, trace); the workspace's own when absent.
   */
  async createBatch(workspaceId: string, input: CreateBatchInput, connectors?: ReadonlyMap<Provider, ProviderConnector>): Promise<BatchView> {
    const support = new Map<Provider, CreationSupport>();
    const validation = validateBatchInput(input, (provider) => {
      const known = support.get(provider) ?? this.#creationSupport(workspaceId, provider);
      support.set(provider, known);
      return known;
    });
    const lookup: AgentLookup = (provider, ids) => (connectors?.get(provider) ?? this.#options.connectorFor(workspaceId, provider)).getAgents(ids);
    if (validation.problems.length > 0) {
      // Name unknown agents along with the other problems, in one answer; when the provider
      // cannot be asked, the other problems are reason enough to refuse.
      const missing = await checkAgentsExist(validation.agents, lookup).catch(() => []);
      throw new BatchValidationError(sortProblems([...validation.problems, ...missing]));
    }
    const { idempotencyKey, items } = validation;
    const hash = requestHash(items);
    if (idempotencyKey !== null) {
      const existing = await findBatchByIdempotencyKey(this.#ctx.db, workspaceId, idempotencyKey);
      if (existing) return this.#replay(existing, hash, idempotencyKey);
    }
    const missing = await checkAgentsExist(validation.agents, lookup);
    if (missing.length > 0) throw new BatchValidationError(missing);

    const budgets = new Map<Provider, BudgetDescriptor>();
    for (const item of items) {
      if (!budgets.has(item.provider)) budgets.set(item.provider, this.#ctx.creatorFor(workspaceId, item.provider).budget);
    }
    const newItems: NewBatchItem[] = items.map((item) => ({
      ...item,
      requestId: randomUUID(),
      budgetKey: (budgets.get(item.provider) as BudgetDescriptor).key,
    }));
    const batchId = randomUUID();
    const now = this.#ctx.clock.now();
    const inserted = await this.#ctx.db.transaction(async (tx) => {
      for (const budget of budgets.values()) await upsertBudget(tx, budget.key, budget.limit, now);
      return insertBatchWithItems(tx, { id: batchId, workspaceId, idempotencyKey, requestHash: hash, createdAt: now, items: newItems });
    });
    if (!inserted) {
      // A concurrent request with the same key won the insert.
      const winner = idempotencyKey === null ? null : await findBatchByIdempotencyKey(this.#ctx.db, workspaceId, idempotencyKey);
      if (!winner || idempotencyKey === null) throw new Error('The batch was neither inserted nor found');
      return this.#replay(winner, hash, idempotencyKey);
    }
    for (const budget of budgets.values()) this.#wakeBudget(budget.key);
    const batch = await findBatch(this.#ctx.db, workspaceId, batchId);
    if (!batch) throw new Error('The batch just stored could not be read back');
    return toBatchView(batch);
  }

  async getBatch(workspaceId: string, batchId: string): Promise<BatchView | null> {
    const batch = await findBatch(this.#ctx.db, workspaceId, batchId);
    return batch ? toBatchView(batch) : null;
  }

  /** Several batches by id in one store query: one entry per id, in order, null when not the workspace's. */
  async getBatches(workspaceId: string, batchIds: readonly string[]): Promise<(BatchView | null)[]> {
    const found = new Map((await findBatches(this.#ctx.db, workspaceId, batchIds)).map((batch) => [batch.id, batch]));
    return batchIds.map((id) => {
      const batch = found.get(id.toLowerCase());
      return batch ? toBatchView(batch) : null;
    });
  }

  /** Items by the request ids they tagged their conversations with, in one store query: one entry per id, in order. */
  async getItemsByRequestIds(workspaceId: string, requestIds: readonly string[]): Promise<(BatchItemView | null)[]> {
    const records = await findWorkspaceItemsByRequestIds(this.#ctx.db, workspaceId, requestIds);
    const found = new Map(records.map((record) => [record.requestId.toLowerCase(), record]));
    return requestIds.map((id) => {
      const record = found.get(id.toLowerCase());
      return record ? toBatchItemView(record) : null;
    });
  }

  /** The workspace's batches, newest first. */
  listBatches(workspaceId: string, page: PageRequest<BatchPosition> = {}): Promise<Page<BatchView>> {
    return readBatchPage(this.#ctx.db, workspaceId, page);
  }

  /**
   * A page of the workspace's batches and how many it has (a connection's `totalCount`), read at
   * one moment: a batch created between two reads would be counted but missing from the page.
   */
  listBatchesWithCount(workspaceId: string, page: PageRequest<BatchPosition> = {}): Promise<{ page: Page<BatchView>; totalCount: number }> {
    return this.#readSnapshot(async (tx) => ({ page: await readBatchPage(tx, workspaceId, page), totalCount: await countBatches(tx, workspaceId) }));
  }

  /**
   * A batch's items in request order, after the item with index `after`; null when the workspace
   * has no such batch.
   */
  async listItems(workspaceId: string, batchId: string, page: PageRequest<number> = {}): Promise<Page<BatchItemView> | null> {
    if (!isUuid(batchId) || !(await findBatch(this.#ctx.db, workspaceId, batchId))) return null;
    return readItemPage(this.#ctx.db, workspaceId, batchId, page);
  }

  /**
   * Batches and pages of their items read at ONE moment of the store (one read-only transaction
   * at REPEATABLE READ): an answer that shows a batch's status and counts beside its items must
   * not show the counts before a dispatch and the items after it. `batches` holds the batches of
   * `itemPages` the workspace has; `pages` has one entry per entry of `itemPages`, null where its
   * batch is not found.
   */
  async readBatchesWithItems(
    workspaceId: string,
    itemPages: readonly (PageRequest<number> & { batchId: string })[],
  ): Promise<{ batches: Map<string, BatchView>; pages: (Page<BatchItemView> | null)[] }> {
    return this.#readSnapshot(async (tx) => {
      const found = await findBatches(tx, workspaceId, itemPages.map((page) => page.batchId));
      const batches = new Map(found.map((batch) => [batch.id, toBatchView(batch)]));
      const pages: (Page<BatchItemView> | null)[] = [];
      for (const page of itemPages) {
        const batchId = page.batchId.toLowerCase();
        if (!batches.has(batchId)) {
          pages.push(null);
          continue;
        }
        pages.push(await readItemPage(tx, workspaceId, batchId, page));
      }
      return { batches, pages };
    });
  }

  /**
   * Runs `reads` at one moment of the store: a read-only transaction at REPEATABLE READ, where
   * READ COMMITTED, the default, would give each statement a snapshot of its own.
   */
  #readSnapshot<T>(reads: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#ctx.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      return reads(tx);
    });
  }

  /** Cancels what has not been sent yet; conversations already placed run to their end. */
  async cancelBatch(workspaceId: string, batchId: string): Promise<BatchView | null> {
    const now = this.#ctx.clock.now();
    const cancelled = await this.#ctx.db.transaction((tx) => cancelBatch(tx, workspaceId, batchId, now));
    if (cancelled === null) return null;
    return this.getBatch(workspaceId, batchId);
  }

  /**
   * Waits until the batch is final or `seconds` (at most MAX_WAIT_SECONDS) pass, and returns
   * it as it is then; null when the workspace has no such batch. The batch is read from the
   * database, so progress made by other replicas counts. A graceful stop (`stop`) ends the wait
   * with the batch as it stands: the wait is the client's convenience, and held to its end it
   * kept the shutdown from draining until the bound cut the client off without an answer.
   */
  async waitForBatch(workspaceId: string, batchId: string, seconds: number): Promise<BatchView | null> {
    const deadline = Date.now() + Math.min(Math.max(0, seconds), MAX_WAIT_SECONDS) * 1000;
    const checkEveryMs = Math.min(250, this.#ctx.timing.pollIntervalMs);
    const { signal } = this.#stopping;
    for (;;) {
      const batch = await this.getBatch(workspaceId, batchId);
      const left = deadline - Date.now();
      if (!batch || isFinalBatchStatus(batch.status) || left <= 0 || signal.aborted) return batch;
      await sleep(Math.min(checkEveryMs, left), undefined, { signal }).catch(() => undefined);
    }
  }

  /**
   * A provider said (by webhook) that a conversation ended: its item's slot is freed at once and
   * the budget's dispatcher woken, instead of waiting for the next status poll. Only a CREATED
   * item changes (to ENDED), exactly as a poll would record it; nothing is requeued or resent,
   * so a forged or mistaken end can at worst free a slot early, which the provider's own budget
   * answers (429, rate-limit headers) still guard. Polling stays the fallback for lost webhooks.
   * Returns the batch of the item that ended, or null when no held slot had this conversation.
   */
  async recordConversationEnded(
    workspaceId: string,
    provider: Provider,
    conversationNativeId: string,
    seen: { status: string | null; statusRaw: string | null; endedAt: Date | null },
  ): Promise<string | null> {
    const now = this.#ctx.clock.now();
    const held = await this.#ctx.db.transaction(async (tx) => {
      const item = await findItemHoldingConversation(tx, { workspaceId, provider, conversationNativeId });
      if (!item) return null;
      const ended = await recordConversationProgress(
        tx,
        [{ requestId: item.requestId, status: seen.status, statusRaw: seen.statusRaw, ended: true, conversationEndedAt: seen.endedAt, note: null }],
        now,
      );
      return ended === 1 ? item : null;
    });
    if (held) this.#wakeBudget(held.budgetKey);
    return held?.batchId ?? null;
  }

  /**
   * Starts dispatching: this replica's leftovers from an earlier life are made due for
   * reconciliation (once `reconcileGraceMs` has passed since each was sent), then a worker runs for each budget with work, and every
   * `discoveryIntervalMs` it looks for budgets other replicas added work to.
   */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    if (this.#stopping.signal.aborted) this.#stopping = new AbortController();
    if (this.#options.nothingPendingAtStart) return;
    await this.releaseLeases();
    this.#discovery = this.#discoveryLoop();
  }

  /**
   * Graceful stop: no new claims; callers waiting for a batch (`waitForBatch`) are answered at
   * once; answers of sends in flight are recorded before it resolves.
   */
  async stop(): Promise<void> {
    this.#stopping.abort();
    if (!this.#running) return;
    this.#running = false;
    this.#discoveryWake.wake();
    await this.#discovery;
    await Promise.all([...this.#workers.values()].map((worker) => worker.stop()));
    this.#workers.clear();
  }

  /**
   * At shutdown, after `stop`: the items this replica leaves DISPATCHING (their create got no
   * clear answer, or its answer could not be recorded in time) become due for reconciliation by
   * any replica once the create landing window has passed, instead of when their full lease ends.
   * The same rule as a restart's (`start`), so no create that may still land is looked up early.
   */
  async releaseLeases(): Promise<number> {
    return expireLeasesOf(this.#ctx.db, this.#ctx.replicaId, this.#ctx.clock.now(), { graceMs: this.#ctx.timing.reconcileGraceMs });
  }

  get running(): boolean {
    return this.#running;
  }

  async #discoveryLoop(): Promise<void> {
    while (this.#running) {
      try {
        const keys = await listActiveBudgetKeys(this.#ctx.db);
        for (const key of keys) this.#wakeBudget(key);
        if (keys.length === 0 && this.#options.soleWriter) return;
      } catch (error) {
        this.#ctx.reportError(error, 'looking for budgets with work');
      }
      await this.#discoveryWake.wait(this.#ctx.timing.discoveryIntervalMs);
    }
  }

  #wakeBudget(budgetKey: string): void {
    if (!this.#running) return;
    let worker = this.#workers.get(budgetKey);
    if (!worker) {
      worker = new BudgetWorker(this.#ctx, budgetKey, (retired) => {
        if (this.#workers.get(budgetKey) === retired) this.#workers.delete(budgetKey);
      });
      this.#workers.set(budgetKey, worker);
      const started = worker;
      this.#inOwnContext(() => started.start());
    }
    worker.wake();
  }

  #creationSupport(workspaceId: string, provider: Provider): CreationSupport {
    let connector: ProviderConnector;
    try {
      connector = this.#options.connectorFor(workspaceId, provider);
    } catch {
      return { kind: 'NOT_CONFIGURED' };
    }
    return connector.creator ? { kind: 'SUPPORTED', channels: connector.creator.channels } : { kind: 'UNSUPPORTED' };
  }

  #replay(existing: BatchRecord, hash: string, idempotencyKey: string): BatchView {
    if (existing.requestHash !== hash) throw new IdempotencyConflictError(idempotencyKey, existing.id);
    return toBatchView(existing);
  }
}

/** A page of the workspace's batches, newest first, after `page.after`. */
async function readBatchPage(db: Queryable, workspaceId: string, page: PageRequest<BatchPosition>): Promise<Page<BatchView>> {
  const first = pageSize(page.first);
  const batches = await listBatches(db, workspaceId, { after: page.after ?? null, limit: first + 1 });
  return { nodes: batches.slice(0, first).map(toBatchView), hasNextPage: batches.length > first };
}

/** A page of a batch's items in request order, after the item with index `page.after`. */
async function readItemPage(db: Queryable, workspaceId: string, batchId: string, page: PageRequest<number>): Promise<Page<BatchItemView>> {
  const first = pageSize(page.first);
  const items = await listBatchItems(db, workspaceId, batchId, { afterIndex: page.after ?? null, limit: first + 1 });
  return { nodes: items.slice(0, first).map(toBatchItemView), hasNextPage: items.length > first };
}

/** Callers inside the gateway pass checked sizes; a bad one is a bug, not bad input. */
function pageSize(first: number | undefined): number {
  if (first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0) throw new RangeError('first must be a non-negative integer');
  return first;
}

function sortProblems<T extends { index: number | null }>(problems: T[]): T[] {
  return problems.sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
}
