import type { Queryable } from '../database.ts';
import type { BatchItemRecord } from '../records.ts';
import { toBatchItemRecord, type Row } from '../rowMappers.ts';

/**
 * Marks up to `count` of the budget's oldest QUEUED items DISPATCHING under a lease held by
 * `owner` until `leaseExpiresAt`, and returns them in queue order. Written BEFORE the provider
 * call: after a crash, a DISPATCHING item is known to be possibly created. SKIP LOCKED leaves rows
 * that a concurrent cancel is changing to that cancel.
 */
export async function claimQueuedItems(
  tx: Queryable,
  budgetKey: string,
  options: { owner: string; count: number; now: Date; leaseExpiresAt: Date },
): Promise<BatchItemRecord[]> {
  if (options.count <= 0) return [];
  const { rows } = await tx.query<Row>(
    `UPDATE batch_items SET state = 'DISPATCHING', lease_owner = $2, dispatched_by = $2, lease_expires_at = $5, dispatched_at = $4,
                            attempts = attempts + 1, updated_at = $4
     WHERE (batch_id, index) IN (
       SELECT batch_id, index FROM batch_items
       WHERE budget_key = $1 AND state = 'QUEUED'
       ORDER BY queued_at, batch_id, index
       LIMIT $3
       FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [budgetKey, options.owner, options.count, options.now, options.leaseExpiresAt],
  );
  return rows
    .map(toBatchItemRecord)
    .sort((a, b) => a.queuedAt.getTime() - b.queuedAt.getTime() || compare(a.batchId, b.batchId) || a.index - b.index);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
