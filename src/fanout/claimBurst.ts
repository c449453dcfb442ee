import { findBudget, lockBudget, readBudgetUsage, type BudgetUsage } from '../store/queries/budgets.ts';
import { claimQueuedItems } from '../store/queries/dispatchClaims.ts';
import type { BatchItemRecord } from '../store/records.ts';
import { computeFreeSlots, type FreeSlots } from './computeFreeSlots.ts';
import { addMs, type FanoutContext } from './fanoutContext.ts';

/**
 * Used only when a budget row is missing; a batch writes its creator's budget (key and limit)
 * before any item is queued, so this is a conservative floor, not a provider's figure.
 */
export const DEFAULT_BUDGET_LIMIT = 20;

export interface ClaimedBurst {
  /** Items now DISPATCHING under this replica's lease, in the order they were chosen (batches take turns). */
  items: BatchItemRecord[];
  slots: FreeSlots;
  /** The budget's counts before the claim. */
  usage: BudgetUsage;
}

/**
 * One claim, in one transaction under the budget's advisory lock: count the held slots, read the
 * provider's last word, compute the free slots and mark that many QUEUED items DISPATCHING. The
 * lock makes count-then-claim atomic across replicas, so together they never exceed the budget.
 */
export async function claimBurst(ctx: FanoutContext, budgetKey: string): Promise<ClaimedBurst> {
  return ctx.db.transaction(async (tx) => {
    await lockBudget(tx, budgetKey);
    // Read after the lock: time spent waiting for it must not shorten the lease.
    const now = ctx.clock.now();
    const budget = (await findBudget(tx, budgetKey)) ?? {
      configuredLimit: DEFAULT_BUDGET_LIMIT,
      providerLimit: null,
      providerRemaining: null,
      observedAt: null,
      blockedUntil: null,
      probePending: false,
    };
    const usage = await readBudgetUsage(tx, budgetKey, budget.observedAt);
    const slots = computeFreeSlots(budget, usage, now, { observationTtlMs: ctx.timing.observationTtlMs });
    const count = Math.min(slots.free, usage.queued);
    const items =
      count > 0
        ? await claimQueuedItems(tx, budgetKey, {
            owner: ctx.replicaId,
            count,
            now,
            leaseExpiresAt: addMs(now, ctx.timing.leaseMs),
          })
        : [];
    return { items, slots, usage };
  });
}
