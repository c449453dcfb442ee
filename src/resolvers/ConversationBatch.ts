import { NotFoundError } from '../errors.ts';
import type { BatchView } from '../fanout/views.ts';
import type { BatchItemResolvers, ConversationBatchResolvers } from '../generated/graphql.ts';
import type { Loaders } from '../loaders.ts';
import { checkFirst, decodeAfter } from '../read/cursor.ts';
import { batchGlobalId, connectionOfPage, itemCursorCodec, itemPosition, itemsScope } from './batchSupport.ts';

/**
 * `status`, `counts` and `finishedAt` come from the same store snapshot as the `items` beside them
 * (`loaders.batchSnapshot`): read a moment apart, an answer showed a batch QUEUED with two items
 * queued next to the same two items already CREATED. Without `items`, the batch as it was loaded.
 */
export const ConversationBatch: ConversationBatchResolvers = {
  id: (batch) => batchGlobalId(batch),
  status: async (batch, _, { loaders }) => (await stateOf(batch, loaders)).status,
  finishedAt: async (batch, _, { loaders }) => (await stateOf(batch, loaders)).finishedAt,
  counts: async (batch, _, { loaders }) => {
    const view = await stateOf(batch, loaders);
    return {
      total: view.itemCount,
      queued: view.counts.QUEUED,
      dispatching: view.counts.DISPATCHING,
      created: view.counts.CREATED,
      ended: view.counts.ENDED,
      failed: view.counts.FAILED,
      cancelled: view.counts.CANCELLED,
      unresolved: view.counts.UNRESOLVED,
    };
  },
  items: async (batch, { first, after }, { loaders }) => {
    const scope = itemsScope(batch);
    const request = { first: checkFirst(first, 50), after: decodeAfter(itemCursorCodec, after, () => scope) };
    const { items: page } = await loaders.batchSnapshot.load({ view: batch, items: request });
    if (!page) throw new NotFoundError('batch', batchGlobalId(batch));
    return connectionOfPage(page, itemCursorCodec, itemPosition, request.after !== null, batch.itemCount, scope);
  },
};

/** The batch as this answer shows it: from the snapshot its items are read in, if any are. */
async function stateOf(batch: BatchView, loaders: Loaders): Promise<BatchView> {
  return (await loaders.batchSnapshot.load({ view: batch, items: null })).view;
}

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
