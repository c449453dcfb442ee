import { RequestNotSentError } from '../providers/resilience/requestNotSentError.ts';
import { deferToReconciliation, recordCreatedItems, requeueItems } from '../store/queries/dispatchOutcomes.ts';
import { claimExpiredDispatches, recordReconciliationFailure } from '../store/queries/reconciliation.ts';
import { addMs, type FanoutContext } from './fanoutContext.ts';
import { createLandingWindowMs } from './fanoutTiming.ts';
import { groupItems } from './groupItems.ts';
import { toCreatedConversation } from './conversationOutcome.ts';

/** Items reconciled per round and per provider lookup. */
export const RECONCILE_BATCH_SIZE = 100;

export interface ReconcileOutcome {
  /** The provider had created them: now CREATED (or ENDED) with that conversation. */
  found: number;
  /** The provider answered and has none of them: safely back in the queue (or cancelled). */
  requeued: number;
  /** The provider could not answer: tried again later. */
  retrying: number;
  /** Given up on after too many failed attempts: reported, never guessed. */
  unresolved: number;
}

/**
 * Settles DISPATCHING items whose lease expired: their sender crashed, or their create got no
 * clear answer. Only items whose create landing window has passed are looked up (see
 * `createLandingWindowMs`): by then the create either landed or never will. Each item carries its request id in the conversation's dynamic variables, so the
 * provider's list tells whether it was created. Only a list the provider actually returned
 * proves "not created"; an error proves nothing, and after `maxReconcileAttempts` such errors
 * the item becomes UNRESOLVED with the reason.
 */
export async function reconcileDispatches(ctx: FanoutContext, budgetKey: string): Promise<ReconcileOutcome> {
  const outcome: ReconcileOutcome = { found: 0, requeued: 0, retrying: 0, unresolved: 0 };
  const now = ctx.clock.now();
  const items = await ctx.db.transaction((tx) =>
    claimExpiredDispatches(tx, budgetKey, {
      owner: ctx.replicaId,
      now,
      leaseExpiresAt: addMs(now, ctx.timing.leaseMs),
      limit: RECONCILE_BATCH_SIZE,
      landedBy: addMs(now, -createLandingWindowMs(ctx.timing)),
    }),
  );
  if (items.length === 0) return outcome;

  await Promise.all(
    groupItems(items, RECONCILE_BATCH_SIZE).map(async (chunk) => {
      const requestIds = chunk.items.map((item) => item.requestId);
      const earliest = Math.min(...chunk.items.map((item) => (item.dispatchedAt ?? item.queuedAt).getTime()));
      let found;
      try {
        const creator = ctx.creatorFor(chunk.workspaceId, chunk.provider);
        found = await creator.findConversationsByRequestIds(
          requestIds,
          new Date(earliest - ctx.timing.reconcileLookbackMs),
        );
      } catch (error) {
        const reason = `reconciliation could not ask ${chunk.provider}: ${error instanceof Error ? error.message : String(error)}`;
        const at = ctx.clock.now();
        if (error instanceof RequestNotSentError) {
          // The gateway itself held the lookup back (circuit open): the provider was not asked,
          // so this is no failed attempt; ask again once the cool-down is over.
          const waitMs = Math.max(error.retryAfterMs ?? 0, ctx.timing.reconcileRetryMs);
          await ctx.db.transaction((tx) => deferToReconciliation(tx, requestIds, reason, addMs(at, waitMs), at));
          outcome.retrying += requestIds.length;
          return;
        }
        const unresolved = await ctx.db.transaction((tx) =>
          recordReconciliationFailure(tx, requestIds, {
            reason,
            maxAttempts: ctx.timing.maxReconcileAttempts,
            retryAt: addMs(at, ctx.timing.reconcileRetryMs),
            now: at,
          }),
        );
        outcome.unresolved += unresolved;
        outcome.retrying += requestIds.length - unresolved;
        return;
      }
      const at = ctx.clock.now();
      const created = [...found].map(([requestId, conversation]) => toCreatedConversation(requestId, conversation));
      const missing = requestIds.filter((id) => !found.has(id));
      await ctx.db.transaction(async (tx) => {
        outcome.found += (await recordCreatedItems(tx, created, at, 'FOUND')).length;
        outcome.requeued += await requeueItems(tx, missing, at, 'NOT_FOUND');
      });
    }),
  );
  return outcome;
}
