import { claimPollRound } from '../store/queries/budgets.ts';
import type { BatchItemRecord } from '../store/records.ts';
import { claimBurst } from './claimBurst.ts';
import { addMs, type FanoutContext } from './fanoutContext.ts';
import { pollConversations } from './pollConversations.ts';
import { reconcileDispatches } from './reconcileDispatches.ts';
import { sendBurst } from './sendBurst.ts';
import { WakeSignal } from './wakeSignal.ts';

/**
 * Longest a dispatcher with nothing to send sleeps between looks at a budget, at fast poll rates.
 * Its own poller wakes it the moment a slot frees; this look catches slots freed by what it is
 * not told about (another replica's poll), without an empty claim competing with the poll for
 * the database on every tick.
 */
const MIN_IDLE_RECHECK_MS = 250;

/**
 * Keeps one budget busy within this replica, with two loops:
 *
 * - dispatch: claim as many items as there are free slots, send them without waiting for the
 *   answer, claim again; when nothing is free, sleep until woken (a slot freed, the provider
 *   reported room, an answer came in, a batch was added), until a 429's Retry-After ends, or for
 *   a re-check. Waking on events rather than sleeping a fixed time keeps the gap between an end
 *   and the next create down to one poll interval plus a create round trip.
 * - maintenance: each poll interval, take the budget's polling round if no other replica has
 *   (see `claimPollRound`) and poll created conversations; each reconcile interval, reconcile
 *   expired dispatches.
 *
 * The worker retires by itself once its budget has nothing queued, in flight or held.
 */
export class BudgetWorker {
  readonly budgetKey: string;
  readonly #ctx: FanoutContext;
  readonly #onRetire: (worker: BudgetWorker) => void;
  readonly #dispatchWake = new WakeSignal();
  readonly #maintenanceWake = new WakeSignal();
  readonly #inFlight = new Set<Promise<void>>();
  #loops: Promise<void>[] = [];
  #stopping = false;
  #retired = false;

  constructor(ctx: FanoutContext, budgetKey: string, onRetire: (worker: BudgetWorker) => void) {
    this.#ctx = ctx;
    this.budgetKey = budgetKey;
    this.#onRetire = onRetire;
  }

  start(): void {
    this.#loops = [this.#dispatchLoop(), this.#maintenanceLoop()];
  }

  /** Something changed for this budget: look at it now. */
  wake(): void {
    this.#dispatchWake.wake();
  }

  /** Stops claiming, lets the sends in flight record their answers, and ends both loops. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#dispatchWake.wake();
    this.#maintenanceWake.wake();
    await Promise.all(this.#loops);
    await Promise.all([...this.#inFlight]);
  }

  async #dispatchLoop(): Promise<void> {
    const { timing } = this.#ctx;
    while (!this.#stopping) {
      let burst;
      try {
        burst = await claimBurst(this.#ctx, this.budgetKey);
      } catch (error) {
        this.#ctx.reportError(error, `claiming for budget ${this.budgetKey}`);
        await this.#dispatchWake.wait(timing.errorBackoffMs);
        continue;
      }
      if (burst.items.length > 0) {
        this.#launch(burst.items);
        continue;
      }
      const { usage, slots } = burst;
      const idle = usage.queued + usage.dispatching + usage.created === 0 && this.#inFlight.size === 0;
      // Checked synchronously with the retirement, so a wake that arrived meanwhile is not lost.
      if (idle && !this.#dispatchWake.pending) {
        this.#retire();
        return;
      }
      const untilUnblocked = slots.blockedUntil ? slots.blockedUntil.getTime() - this.#ctx.clock.now().getTime() : Infinity;
      await this.#dispatchWake.wait(Math.min(untilUnblocked, Math.max(timing.pollIntervalMs, MIN_IDLE_RECHECK_MS)));
    }
  }

  async #maintenanceLoop(): Promise<void> {
    const { timing, db, replicaId, clock } = this.#ctx;
    let nextReconcileAt = 0;
    while (!this.#stopping && !this.#retired) {
      const tickStartedAt = performance.now();
      try {
        const now = clock.now();
        // The round is due a little before the next tick, so timer jitter never skips a round.
        if (await claimPollRound(db, this.budgetKey, replicaId, now, addMs(now, timing.pollIntervalMs * 0.9))) {
          const polled = await pollConversations(this.#ctx, this.budgetKey);
          // Ends free slots; so may other clients of the account, which only the provider's count shows.
          if (polled.ended > 0 || (polled.providerRemaining ?? 0) > 0) this.#dispatchWake.wake();
        }
        if (tickStartedAt >= nextReconcileAt) {
          nextReconcileAt = tickStartedAt + timing.reconcileIntervalMs;
          const reconciled = await reconcileDispatches(this.#ctx, this.budgetKey);
          if (reconciled.found + reconciled.requeued + reconciled.unresolved > 0) this.#dispatchWake.wake();
        }
      } catch (error) {
        this.#ctx.reportError(error, `polling or reconciling budget ${this.budgetKey}`);
      }
      // A steady cadence: the round's own work does not stretch the time between two polls.
      await this.#maintenanceWake.wait(timing.pollIntervalMs - (performance.now() - tickStartedAt));
    }
  }

  #launch(items: BatchItemRecord[]): void {
    const send = sendBurst(this.#ctx, this.budgetKey, items)
      .then(() => undefined)
      .catch((error: unknown) => {
        // Recording the answer failed (database away): the items stay DISPATCHING under our
        // lease, and reconciliation settles them once it expires.
        this.#ctx.reportError(error, `recording a burst of ${items.length} for budget ${this.budgetKey}`);
      })
      .finally(() => {
        this.#inFlight.delete(send);
        this.#dispatchWake.wake();
      });
    this.#inFlight.add(send);
  }

  #retire(): void {
    this.#retired = true;
    this.#maintenanceWake.wake();
    this.#onRetire(this);
  }
}
