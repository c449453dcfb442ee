import type { Queryable } from '../database.ts';
import type { BatchItemRecord } from '../records.ts';
import { toBatchItemRecord, type Row } from '../rowMappers.ts';

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

/** Items by their request ids (any batch, any workspace): for the fan-out's own bookkeeping. */
export async function findItemsByRequestIds(db: Queryable, requestIds: readonly string[]): Promise<BatchItemRecord[]> {
  if (requestIds.length === 0) return [];
  const { rows } = await db.query<Row>(
    `SELECT * FROM batch_items WHERE request_id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::text::jsonb))
     ORDER BY batch_id, index`,
    [JSON.stringify(requestIds)],
  );
  return rows.map(toBatchItemRecord);
}
