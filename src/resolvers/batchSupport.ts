import { z } from 'zod';
import { fromGlobalId, toGlobalId } from '../domain/globalId.ts';
import type { Conversation } from '../domain/types.ts';
import type { Page } from '../fanout/fanoutService.ts';
import type { Loaders } from '../loaders.ts';
import type { BatchItemView, BatchView } from '../fanout/views.ts';
import { connectionOf, edgeOf, type ConnectionModel } from '../read/connections.ts';
import { argumentsScope, cursorCodec, type CursorCodec } from '../read/cursor.ts';

export function batchGlobalId(batch: BatchView): string {
  return toGlobalId({ provider: null, type: 'ConversationBatch', nativeId: batch.id });
}

/**
 * The batch item that created `conversation`, found by the gateway's tag. The tag alone is not
 * trusted: another client of the same provider account could write it, so the item must be of
 * this provider and, once its creation is recorded, of this very conversation.
 */
export async function batchItemOf(
  { gatewayRequestId, provider, nativeId }: Pick<Conversation, 'gatewayRequestId' | 'provider' | 'nativeId'>,
  loaders: Pick<Loaders, 'batchItemByRequestId'>,
): Promise<BatchItemView | null> {
  if (gatewayRequestId === null) return null;
  const item = await loaders.batchItemByRequestId.load(gatewayRequestId);
  if (!item || item.provider !== provider) return null;
  return item.conversationNativeId === null || item.conversationNativeId === nativeId ? item : null;
}

/** The batch's own id inside a global id, or null when it is not a batch id. */
export function batchIdOf(globalId: string): string | null {
  const parts = fromGlobalId(globalId);
  return parts?.type === 'ConversationBatch' ? parts.nativeId : null;
}

/** `batches` is newest first: a position is (creation time, id), the store's keyset order. */
const batchCursor = cursorCodec(
  'batches',
  z.object({ t: z.number().int().min(0).max(8.64e15), id: z.uuid() }),
);
export const batchCursorCodec: CursorCodec<{ createdAt: Date; id: string }> = {
  encode: (position, scope) => batchCursor.encode({ t: position.createdAt.getTime(), id: position.id }, scope),
  decode: (cursor, scope) => {
    const { t, id } = batchCursor.decode(cursor, scope);
    return { createdAt: new Date(t), id };
  },
};

/**
 * `ConversationBatch.items` is in request order: a position is the item's index, scoped to its
 * batch (`itemsScope`), so a cursor of another batch's items is refused instead of skipping that
 * many items of this one.
 */
const itemCursor = cursorCodec('items', z.object({ i: z.number().int().min(0).max(1_000_000) }));
export const itemCursorCodec: CursorCodec<number> = {
  encode: (index, scope) => itemCursor.encode({ i: index }, scope),
  decode: (cursor, scope) => itemCursor.decode(cursor, scope).i,
};

/** The scope of a workspace's `batches` cursors: its own list, not another workspace's. */
export const batchesScope = (workspaceId: string): string => argumentsScope({ workspace: workspaceId });

/** The scope of a batch's item cursors: the batch. */
export const itemsScope = (batch: BatchView): string => argumentsScope({ batch: batch.id });

/** The fan-out's pages as Relay connections, each node's cursor from its own position. */
export function connectionOfPage<T, P>(
  page: Page<T>,
  codec: CursorCodec<P>,
  positionOf: (node: T) => P,
  hasPreviousPage: boolean,
  totalCount: number | null,
  scope?: string,
): ConnectionModel<T> {
  const edges = page.nodes.map((node) => edgeOf(node, () => codec.encode(positionOf(node), scope)));
  return connectionOf(edges, page.hasNextPage, totalCount, hasPreviousPage);
}

export const batchPosition = (batch: BatchView) => ({ createdAt: batch.createdAt, id: batch.id });
export const itemPosition = (item: BatchItemView) => item.index;
