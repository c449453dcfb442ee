import { fromGlobalId, toGlobalId } from '../domain/globalId.ts';
import type { Page } from '../fanout/fanoutService.ts';
import type { BatchView } from '../fanout/views.ts';
import { connectionOf, type ConnectionModel } from '../read/connections.ts';

export function batchGlobalId(batch: BatchView): string {
  return toGlobalId({ provider: null, type: 'ConversationBatch', nativeId: batch.id });
}

/** The batch's own id inside a global id, or null when it is not a batch id. */
export function batchIdOf(globalId: string): string | null {
  const parts = fromGlobalId(globalId);
  return parts?.type === 'ConversationBatch' ? parts.nativeId : null;
}

/** The fan-out's pages as Relay connections. */
export function connectionOfPage<T>(page: Page<T>, hasPreviousPage: boolean): ConnectionModel<T> {
  const edges = page.nodes.map((node, index) => ({ node, cursor: page.cursors[index] ?? '' }));
  return connectionOf(edges, page.hasNextPage, null, hasPreviousPage);
}
