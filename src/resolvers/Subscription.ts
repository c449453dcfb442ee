import type { GatewayContext } from '../context.ts';
import type { Conversation } from '../domain/types.ts';
import { BadUserInputError, NotFoundError } from '../errors.ts';
import type { ChangeEvent } from '../feed/changeEvent.ts';
import type { ConversationChangeFilter, SubscriptionResolvers } from '../generated/graphql.ts';
import { createLoaders, refKey } from '../loaders.ts';
import { isFinalBatchStatus } from '../fanout/batchStatus.ts';
import { findSyncedRecord } from '../store/queries/syncedRecords.ts';
import { EventBuffer } from '../subscriptions/eventBuffer.ts';
import { filterIdOfType, filterIdsOfType } from '../read/filterIds.ts';
import type { BatchProgressPayload, ConversationChangePayload } from '../subscriptions/subscriptionPayloads.ts';
import { decodeRecord } from '../sync/recordCodec.ts';
import { batchIdOf, batchItemOf } from './batchSupport.ts';
import { liveOf } from './Live.ts';

type Event<K extends ChangeEvent['type']> = Extract<ChangeEvent, { type: K }>;

/**
 * Opens a subscription: a bounded buffer fed by the change feed with the workspace's events of
 * one type (another workspace's events never enter it), registered under the workspace's cap.
 * Each event read is turned into a payload by `load` (null skips it); fresh loaders for each
 * payload, so a long subscription neither serves stale agents nor grows a cache.
 */
function openStream<K extends ChangeEvent['type'], P>(
  context: GatewayContext,
  type: K,
  accept: (event: Event<K>) => boolean,
  load: (event: Event<K>, droppedBefore: number) => Promise<P | null>,
  first?: Event<K>,
  /** Whether a payload is the stream's last (a finished batch): sent, then the subscription completes. */
  isLast: (payload: P) => boolean = () => false,
): AsyncIterableIterator<P> {
  const live = liveOf(context);
  const workspaceId = context.workspace.id;
  let unsubscribe = () => {};
  let release = () => {};
  const buffer = new EventBuffer<Event<K>>(live.settings.subscriptionBuffer, () => {
    unsubscribe();
    release();
  });
  release = live.subscriptions.add(workspaceId, buffer as EventBuffer<unknown>);
  unsubscribe = live.feed.subscribe((event) => {
    if (event.type === type && event.workspaceId === workspaceId && accept(event as Event<K>)) buffer.push(event as Event<K>);
  });
  if (first) buffer.push(first);
  let lastSent = false;
  const iterator: AsyncIterableIterator<P> = {
    async next() {
      if (lastSent) {
        buffer.close();
        return { done: true, value: undefined };
      }
      for (;;) {
        const read = await buffer.next();
        if (read.done) return { done: true, value: undefined };
        context.loaders = createLoaders(context.workspace, context.fanout, context.loaderHooks);
        const payload = await load(read.value.value, read.value.droppedBefore);
        if (payload !== null) {
          lastSent = isLast(payload);
          return { done: false, value: payload };
        }
        buffer.carryDropped(read.value.droppedBefore);
      }
    },
    async return() {
      buffer.close();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

async function conversationFilter(context: GatewayContext, filter: ConversationChangeFilter | null | undefined) {
  const ids = filter?.conversationIds && new Set(filterIdsOfType(filter.conversationIds, 'Conversation', 'conversationIds').map(refKey));
  let batchId: string | undefined;
  if (filter?.batchId) {
    batchId = filterIdOfType(filter.batchId, 'ConversationBatch', 'batchId').nativeId;
    // Well-formed but unknown here (or another workspace's): not found, as batchProgress answers.
    if (!(await context.fanout.getBatch(context.workspace.id, batchId))) throw new NotFoundError('batch', filter.batchId);
  }
  return {
    /** What can be decided from the event alone, before any store read. */
    accept: (event: Event<'conversation'>) =>
      (!filter?.providers || filter.providers.includes(event.provider)) &&
      (!filter?.changes || event.changes.some((change) => filter.changes?.includes(change))) &&
      (!ids || ids.has(refKey(event))),
    /** What needs the stored conversation. */
    matches: async (context: GatewayContext, conversation: Conversation) => {
      if (filter?.statuses && !filter.statuses.includes(conversation.status.value)) return false;
      if (batchId) return (await batchItemOf(conversation, context.loaders))?.batchId === batchId;
      return true;
    },
  };
}

export const Subscription: SubscriptionResolvers = {
  conversationChanged: {
    subscribe: async (_, { filter }, context) => {
      const { accept, matches } = await conversationFilter(context, filter);
      return openStream(context, 'conversation', accept, async (event, droppedBefore) => {
        const stored = await findSyncedRecord(liveOf(context).database, {
          workspaceId: context.workspace.id,
          provider: event.provider,
          kind: 'Conversation',
          nativeId: event.nativeId,
        });
        if (!stored) return null;
        const conversation = decodeRecord<Conversation>(stored.record as object);
        if (!(await matches(context, conversation))) return null;
        const payload: ConversationChangePayload = { conversation, changes: event.changes, version: event.version, droppedBefore };
        return { conversationChanged: payload };
      });
    },
  },
  batchProgress: {
    subscribe: async (_, { id }, context) => {
      const batchId = batchIdOf(id);
      if (batchId === null || !(await context.fanout.getBatch(context.workspace.id, batchId))) throw new NotFoundError('batch', id);
      return openStream(
        context,
        'batch',
        (event) => event.batchId === batchId,
        async (_event, droppedBefore) => {
          const current = await context.fanout.getBatch(context.workspace.id, batchId);
          if (!current) return null;
          const payload: BatchProgressPayload = { batch: current, droppedBefore };
          return { batchProgress: payload };
        },
        { type: 'batch', workspaceId: context.workspace.id, batchId },
        // A finished batch changes no more: its last progress completes the subscription, which
        // kept one of the workspace's subscription slots open for nothing (a frontend trial).
        (payload) => isFinalBatchStatus(payload.batchProgress.batch.status),
      );
    },
  },
};
