import type { RateLimitInfo } from '../providers/connector.ts';
import { leastRoom } from '../providers/kit/leastRoom.ts';
import { recordStatusReadObservation } from '../store/queries/budgets.ts';
import { listItemsToPoll, recordConversationProgress, type ConversationProgress } from '../store/queries/polling.ts';
import type { Conversation, Provider } from '../domain/types.ts';
import { reportConversations, type FanoutContext } from './fanoutContext.ts';
import { groupItems } from './groupItems.ts';
import { readConversation } from './conversationOutcome.ts';

/** Conversations read per status request (the providers' batch-get limit). */
export const POLL_CHUNK_SIZE = 100;
/** Created conversations looked at per round; the least recently polled go first. */
export const MAX_POLLED_PER_ROUND = 2000;

/**
 * One polling round of a budget: reads the status of its created conversations (one request per
 * 100) and marks the ended ones ENDED, which frees their slots. A chunk whose request fails is
 * simply polled again next round. When the answers carry rate-limit headers, the provider's count
 * of free slots is refreshed too, so room taken or freed by other clients of the account is seen
 * within a poll interval.
 */
export interface PollOutcome {
  /** Conversations seen ending: their slots are free now. */
  ended: number;
  /** Free slots the provider reported, when its answers said (before this gateway's corrections). */
  providerRemaining: number | null;
}

export async function pollConversations(ctx: FanoutContext, budgetKey: string): Promise<PollOutcome> {
  const items = await listItemsToPoll(ctx.db, budgetKey, MAX_POLLED_PER_ROUND);
  if (items.length === 0) return { ended: 0, providerRemaining: null };
  const sentAt = ctx.clock.now();
  const progress: ConversationProgress[] = [];
  const budgetNews: RateLimitInfo[] = [];
  const seen: { workspaceId: string; provider: Provider; conversations: Conversation[]; endedBatchIds: Set<string> }[] = [];
  await Promise.all(
    groupItems(items, POLL_CHUNK_SIZE).map(async (chunk) => {
      try {
        const creator = ctx.creatorFor(chunk.workspaceId, chunk.provider);
        const ids = chunk.items.map((item) => item.conversationNativeId ?? '');
        const read = await creator.readStatuses(ids);
        if (read.rateLimit) budgetNews.push(read.rateLimit);
        // Only a batch with an item that ends this round has new counts to announce.
        const endedBatchIds = new Set<string>();
        seen.push({
          workspaceId: chunk.workspaceId,
          provider: chunk.provider,
          conversations: read.conversations.filter((each): each is Conversation => each !== null),
          endedBatchIds,
        });
        chunk.items.forEach((item, i) => {
          const conversation = read.conversations[i] ?? null;
          if (conversation === null) {
            endedBatchIds.add(item.batchId);
            // The provider no longer knows it: waiting for an end that cannot be seen would hold
            // the slot forever. Its budget answers (and 429s) still guard against a wrong guess.
            progress.push({
              requestId: item.requestId,
              status: null,
              statusRaw: null,
              ended: true,
              conversationEndedAt: null,
              note: 'the provider no longer reports this conversation; counted as ended',
            });
            return;
          }
          // Each conversation on its own: one whose status or end breaks the provider's contract
          // is read again next round and holds its slot until then; the chunk's others go on.
          const reading = readConversation(conversation, (error) =>
            ctx.reportError(error, `reading the status of ${chunk.provider} conversation ${conversation.nativeId} of budget ${budgetKey}`),
          );
          if (reading === null) return;
          if (reading.ended) endedBatchIds.add(item.batchId);
          progress.push({ requestId: item.requestId, ...reading, note: null });
        });
      } catch (error) {
        ctx.reportError(error, `polling ${chunk.items.length} ${chunk.provider} conversations of budget ${budgetKey}`);
      }
    }),
  );
  const now = ctx.clock.now();
  const news = leastRoom(budgetNews);
  const outcome = await ctx.db.transaction(async (tx) => {
    const ended = await recordConversationProgress(tx, progress, now);
    if (news && (news.limit !== undefined || news.remaining !== undefined)) {
      // After the progress, in the same transaction: the ends this answer shows are in its count.
      await recordStatusReadObservation(tx, budgetKey, { limit: news.limit ?? null, remaining: news.remaining ?? null }, sentAt, now);
    }
    return { ended, providerRemaining: news?.remaining ?? null };
  });
  for (const each of seen) {
    await reportConversations(
      ctx,
      { workspaceId: each.workspaceId, provider: each.provider, conversations: each.conversations, batchIds: each.endedBatchIds },
      `recording ${each.provider} conversations in the synced store`,
    );
  }
  return outcome;
}
