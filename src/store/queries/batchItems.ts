import type { Queryable } from '../database.ts';
import type { BatchItemRecord } from '../records.ts';
import { toBatchItemRecord, type Row } from '../rowMappers.ts';
import { isUuid } from './batches.ts';

/** Items of a workspace's batch in index order, after index `afterIndex`; `limit` at most. */
export async function listBatchItems(
  db: Queryable,
  workspaceId: string,
  batchId: string,
  options: { afterIndex: number | null; limit: number },
): Promise<BatchItemRecord[]> {
  const { rows } = await db.query<Row>(
    `SELECT * FROM batch_items
     WHERE workspace_id = $1 AND batch_id = $2 AND index > $3
     ORDER BY index
     LIMIT $4`,
    [workspaceId, batchId, options.afterIndex ?? -1, options.limit],
  );
  return rows.map(toBatchItemRecord);
}

/**
 * A workspace's items by their request ids, for the graph's link from a conversation to the item
 * that created it: one query for a whole page of conversations. Other workspaces' items are never
 * returned, even when they share the provider account. Ids that are not UUIDs match nothing
 * (the column is a uuid; a provider may echo any string).
 */
export async function findWorkspaceItemsByRequestIds(
  db: Queryable,
  workspaceId: string,
  requestIds: readonly string[],
): Promise<BatchItemRecord[]> {
  const uuids = requestIds.filter(isUuid);
  if (uuids.length === 0) return [];
  const { rows } = await db.query<Row>(
    `SELECT * FROM batch_items
     WHERE workspace_id = $1 AND request_id IN (SELECT value::uuid FROM jsonb_array_elements_text($2::text::jsonb))`,
    [workspaceId, JSON.stringify(uuids)],
  );
  return rows.map(toBatchItemRecord);
}
