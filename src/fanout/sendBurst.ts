import type { ConversationCreateRequest, ConversationCreator } from '../providers/connector.ts';
import { recordBudgetObservation, pauseBudget, recordRateLimited } from '../store/queries/budgets.ts';
import {
  deferToReconciliation,
  recordCreatedItems,
  recordFailedItems,
  requeueItems,
  type CreatedConversation,
} from '../store/queries/dispatchOutcomes.ts';
import type { BatchItemRecord } from '../store/records.ts';
import { classifyCreateFailure } from './classifyCreateFailure.ts';
import { toCreatedConversation } from './conversationOutcome.ts';
import { addMs, reportConversations, type FanoutContext } from './fanoutContext.ts';
import { groupItems, type ItemGroup } from './groupItems.ts';

/** What became of a burst's items. */
export interface BurstOutcome {
  created: number;
  failed: number;
  /** Back in the queue: the provider provably created nothing (429, connection refused). */
  requeued: number;
  /** Left DISPATCHING for reconciliation: the provider may have created them. */
  ambiguous: number;
  rateLimited: boolean;
}

/**
 * Sends claimed items: one create request per creator (a workspace's account at a provider) and
 * chunk of at most its `maxConversationsPerCreate`, in parallel, and records each item's outcome.
 */
export async function sendBurst(ctx: FanoutContext, budgetKey: string, items: readonly BatchItemRecord[]): Promise<BurstOutcome> {
  const total: BurstOutcome = { created: 0, failed: 0, requeued: 0, ambiguous: 0, rateLimited: false };
  const byConnector = groupItems(items, Number.MAX_SAFE_INTEGER);
  await Promise.all(
    byConnector.map(async (group) => {
      let creator: ConversationCreator;
      try {
        creator = ctx.creatorFor(group.workspaceId, group.provider);
      } catch (error) {
        const reason = `no ${group.provider} creator for the workspace: ${error instanceof Error ? error.message : String(error)}`;
        total.failed += await failAll(ctx, group.items, 'PROVIDER_NOT_CONFIGURED', reason);
        return;
      }
      // Validation refuses these; items stored before it did (or by an older replica) fail here
      // rather than being created on a channel nobody asked for.
      const unsupported = group.items.filter((item) => !creator.channels.includes(item.channel));
      if (unsupported.length > 0) {
        const reason = `${group.provider} cannot create conversations on this channel; it can on ${creator.channels.join(', ')}`;
        total.failed += await failAll(ctx, unsupported, 'UNSUPPORTED_BY_PROVIDER', reason);
      }
      const sendable = group.items.filter((item) => creator.channels.includes(item.channel));
      const chunks = groupItems(sendable, creator.maxConversationsPerCreate);
      const outcomes = await Promise.all(chunks.map((chunk) => sendChunk(ctx, budgetKey, creator, chunk)));
      for (const outcome of outcomes) {
        total.created += outcome.created;
        total.failed += outcome.failed;
        total.requeued += outcome.requeued;
        total.ambiguous += outcome.ambiguous;
        total.rateLimited ||= outcome.rateLimited;
      }
    }),
  );
  return total;
}

async function sendChunk(
  ctx: FanoutContext,
  budgetKey: string,
  creator: ConversationCreator,
  chunk: ItemGroup,
): Promise<BurstOutcome> {
  const outcome: BurstOutcome = { created: 0, failed: 0, requeued: 0, ambiguous: 0, rateLimited: false };
  const requestIds = chunk.items.map((item) => item.requestId);
  const dispatchedAt = Math.min(...chunk.items.map((item) => (item.dispatchedAt ?? ctx.clock.now()).getTime()));
  // The items' landing window starts at their dispatch: the create must leave within the send
  // window of it (converted to the process clock, which the upstream client reads), and an
  // unclear answer is reconciled only once the whole window has passed.
  const notSentAfter = Date.now() + (dispatchedAt + ctx.timing.sendWindowMs - ctx.clock.now().getTime());
  const reconcileAt = (now: Date) => new Date(Math.max(now.getTime(), dispatchedAt + ctx.timing.reconcileGraceMs));

  let result;
  try {
    result = await creator.createConversations(chunk.items.map(toCreateRequest), { notSentAfter });
  } catch (error) {
    const failure = classifyCreateFailure(error, { allOrNothing: creator.allOrNothing });
    const now = ctx.clock.now();
    switch (failure.kind) {
      case 'RATE_LIMITED':
        await ctx.db.transaction(async (tx) => {
          if (failure.createdNothing) outcome.requeued = await requeueItems(tx, requestIds, now);
          else outcome.ambiguous = await deferToReconciliation(tx, requestIds, failure.reason, reconcileAt(now), now);
          const waitMs = failure.retryAfterMs ?? ctx.timing.defaultRetryAfterMs;
          await recordRateLimited(tx, budgetKey, addMs(now, waitMs), now);
        });
        outcome.rateLimited = true;
        return outcome;
      case 'NOT_SENT':
        await ctx.db.transaction(async (tx) => {
          outcome.requeued = await requeueItems(tx, requestIds, now);
          await pauseBudget(tx, budgetKey, addMs(now, failure.retryAfterMs ?? ctx.timing.unreachableBackoffMs), now);
        });
        return outcome;
      case 'REFUSED':
        outcome.failed = await failAll(ctx, chunk.items, failure.code, failure.reason);
        return outcome;
      case 'AMBIGUOUS':
        outcome.ambiguous = await ctx.db.transaction((tx) =>
          deferToReconciliation(tx, requestIds, failure.reason, reconcileAt(now), now),
        );
        return outcome;
    }
  }

  // Created conversations, refusals, and items the answer does not mention (ambiguous).
  const now = ctx.clock.now();
  const created: CreatedConversation[] = [];
  const refused: { requestId: string; code: string; message: string }[] = [];
  const answered = new Set<string>();
  for (const item of result.outcomes) {
    if (!requestIds.includes(item.requestId) || answered.has(item.requestId)) continue;
    answered.add(item.requestId);
    if (item.ok) created.push(toCreatedConversation(item.requestId, item.conversation));
    else refused.push({ requestId: item.requestId, code: 'PROVIDER_REFUSED_ITEM', message: item.reason });
  }
  const unanswered = requestIds.filter((id) => !answered.has(id));
  await ctx.db.transaction(async (tx) => {
    outcome.created = (await recordCreatedItems(tx, created, now)).length;
    outcome.failed = await recordFailedItems(tx, refused, now);
    outcome.ambiguous = await deferToReconciliation(
      tx,
      unanswered,
      'the provider answered without mentioning this conversation',
      reconcileAt(now),
      now,
    );
    if (result.rateLimit) {
      // Recorded at the same instant as the creations it already counts (see computeFreeSlots).
      await recordBudgetObservation(
        tx,
        budgetKey,
        { limit: result.rateLimit.limit ?? null, remaining: result.rateLimit.remaining ?? null },
        now,
      );
    }
  });
  const { workspaceId, provider } = chunk;
  await reportConversations(
    ctx,
    {
      workspaceId,
      provider,
      conversations: result.outcomes.flatMap((item) => (item.ok ? [item.conversation] : [])),
      batchIds: chunk.items.map((item) => item.batchId),
    },
    `recording created ${provider} conversations in the synced store`,
  );
  return outcome;
}

async function failAll(ctx: FanoutContext, items: readonly BatchItemRecord[], code: string, message: string): Promise<number> {
  const now = ctx.clock.now();
  return ctx.db.transaction((tx) =>
    recordFailedItems(
      tx,
      items.map((item) => ({ requestId: item.requestId, code, message })),
      now,
    ),
  );
}

function toCreateRequest(item: BatchItemRecord): ConversationCreateRequest {
  return {
    requestId: item.requestId,
    agentNativeId: item.agentNativeId,
    channel: item.channel,
    toNumber: item.toNumber,
    sipTrunkAddress: item.sipTrunkAddress,
    dynamicVariables: item.dynamicVariables,
  };
}
