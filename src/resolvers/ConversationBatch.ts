import { NotFoundError } from '../errors.ts';
import type { BatchItemResolvers, ConversationBatchResolvers } from '../generated/graphql.ts';
import { checkFirst } from '../read/cursor.ts';
import { batchGlobalId, connectionOfPage, itemCursorCodec, itemPosition } from './batchSupport.ts';

export const ConversationBatch: ConversationBatchResolvers = {
  id: (batch) => batchGlobalId(batch),
  counts: (batch) => ({
    total: batch.itemCount,
    queued: batch.counts.QUEUED,
    dispatching: batch.counts.DISPATCHING,
    created: batch.counts.CREATED,
    ended: batch.counts.ENDED,
    failed: batch.counts.FAILED,
    cancelled: batch.counts.CANCELLED,
    unresolved: batch.counts.UNRESOLVED,
  }),
  items: async (batch, { first, after }, { fanout, workspace }) => {
    const request = { first: checkFirst(first, 50), after: after ? itemCursorCodec.decode(after) : null };
    const page = await fanout.listItems(workspace.id, batch.id, request);
    if (!page) throw new NotFoundError('batch', batchGlobalId(batch));
    return connectionOfPage(page, itemCursorCodec, itemPosition, Boolean(after), batch.itemCount);
  },
};

export const BatchItem: BatchItemResolvers = {
  /** The created conversation, live from its provider (batched with the rest of the page). */
  conversation: (item, _, { loaders }) =>
    item.conversationNativeId ? loaders.conversation.load({ provider: item.provider, nativeId: item.conversationNativeId }) : null,
  batch: async (item, _, { loaders }) => {
    const batch = await loaders.batch.load(item.batchId);
    if (!batch) throw new Error(`Batch item ${item.requestId} names batch ${item.batchId}, which the store does not hold`);
    return batch;
  },
  error: (item) => (item.error ? { code: item.error.code ?? 'UNKNOWN', message: item.error.message } : null),
  updatedAt: (item) => item.finishedAt ?? item.endedAt ?? item.createdAt ?? item.dispatchedAt ?? item.queuedAt,
};
