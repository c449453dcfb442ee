import { listItemsToPoll, recordConversationProgress, type ConversationProgress } from '../store/queries/polling.ts';
import type { FanoutContext } from './fanoutContext.ts';
import { groupItems } from './groupItems.ts';
import { isOver } from './conversationOutcome.ts';

/** Conversations read per status request (the providers' batch-get limit). */
export const POLL_CHUNK_SIZE = 100;
/** Created conversations looked at per round; the least recently polled go first. */
export const MAX_POLLED_PER_ROUND = 2000;

/**
 * One polling round of a budget: reads the status of its created conversations (one request per
 * 100) and marks the ended ones ENDED, which frees their slots. A chunk whose request fails is
 * simply polled again next round. Returns how many conversations were seen ending.
 */
export async function pollConversations(ctx: FanoutContext, budgetKey: string): Promise<number> {
  const items = await listItemsToPoll(ctx.db, budgetKey, MAX_POLLED_PER_ROUND);
  if (items.length === 0) return 0;
  const progress: ConversationProgress[] = [];
  await Promise.all(
    groupItems(items, POLL_CHUNK_SIZE).map(async (chunk) => {
      try {
        const connector = ctx.connectorFor(chunk.workspaceId, chunk.provider);
        const ids = chunk.items.map((item) => item.conversationNativeId ?? '');
        const conversations = await connector.getConversations(ids);
        chunk.items.forEach((item, i) => {
          const conversation = conversations[i] ?? null;
          if (conversation === null) {
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
          const ended = isOver(conversation);
          progress.push({
            requestId: item.requestId,
            status: conversation.status.value,
            statusRaw: conversation.status.raw,
            ended,
            conversationEndedAt: ended ? conversation.endedAt : null,
            note: null,
          });
        });
      } catch (error) {
        ctx.reportError(error, `polling ${chunk.items.length} ${chunk.provider} conversations of budget ${budgetKey}`);
      }
    }),
  );
  const now = ctx.clock.now();
  return ctx.db.transaction((tx) => recordConversationProgress(tx, progress, now));
}
