import type { Queryable } from '../database.ts';
import type { BatchItemRecord } from '../records.ts';
import { toBatchItemRecord, type Row } from '../rowMappers.ts';

/**
 * Marks up to `count` QUEUED items of the budget DISPATCHING under a lease held by `owner` until
 * `leaseExpiresAt`, and returns them in the order they were chosen. Written BEFORE the provider
 * call: after a crash, a DISPATCHING item is known to be possibly created. SKIP LOCKED leaves rows
 * that a concurrent cancel is changing to that cancel.
 *
 * **The batches on one budget share it.** Each waiting item's turn is the slots its batch holds
 * now plus its place in its batch's queue, and the lowest turns go first: a batch queued behind a
 * large one gets the next free slots until it holds as many as the large one, instead of waiting
 * for all of it (an operator saw 5 calls wait three minutes behind 600 when the order was first
 * queued, first dialed). A tie goes to the item with the lower index, the batch that has dialed
 * fewer of its calls, then to the batch queued first: so a slot the budget cannot split evenly
 * rotates between batches instead of staying with the first (an operator trial: 3 slots to 2 for
 * a whole run). Within a batch, items go in order.
 */
export async function claimQueuedItems(
  tx: Queryable,
  budgetKey: string,
  options: { owner: string; count: number; now: Date; leaseExpiresAt: Date },
): Promise<BatchItemRecord[]> {
  if (options.count <= 0) return [];
  const { rows } = await tx.query<Row>(
    // Bounded by the batches waiting and `count`, not by the queue's length: each waiting batch is
    // found by one index probe (a loose scan of batch_items_queue: a batch's items share its
    // queued_at), and only its first `count` items are ranked.
    `WITH RECURSIVE waiting_batches AS (
       (SELECT queued_at, batch_id FROM batch_items
        WHERE budget_key = $1 AND state = 'QUEUED'
        ORDER BY queued_at, batch_id LIMIT 1)
       UNION ALL
       SELECT next.queued_at, next.batch_id FROM waiting_batches previous
       CROSS JOIN LATERAL (
         SELECT queued_at, batch_id FROM batch_items
         WHERE budget_key = $1 AND state = 'QUEUED' AND (queued_at, batch_id) > (previous.queued_at, previous.batch_id)
         ORDER BY queued_at, batch_id LIMIT 1) next),
     held AS (
       SELECT batch_id, count(*) AS slots FROM batch_items
       WHERE budget_key = $1 AND state IN ('DISPATCHING', 'CREATED')
       GROUP BY batch_id),
     candidates AS (
       SELECT head.batch_id, head.index, coalesce(held.slots, 0) + head.place AS turn
       FROM waiting_batches batch
       LEFT JOIN held ON held.batch_id = batch.batch_id
       CROSS JOIN LATERAL (
         SELECT batch_id, index, row_number() OVER (ORDER BY index) AS place FROM batch_items
         WHERE budget_key = $1 AND state = 'QUEUED' AND queued_at = batch.queued_at AND batch_id = batch.batch_id
         ORDER BY index LIMIT $3) head
       ORDER BY turn, head.index, batch.queued_at, head.batch_id
       LIMIT $3),
     chosen AS (
       SELECT item.batch_id, item.index, candidates.turn FROM batch_items item
       JOIN candidates ON candidates.batch_id = item.batch_id AND candidates.index = item.index
       WHERE item.state = 'QUEUED'
       FOR UPDATE OF item SKIP LOCKED)
     UPDATE batch_items SET state = 'DISPATCHING', lease_owner = $2, dispatched_by = $2, lease_expires_at = $5, dispatched_at = $4,
                            attempts = attempts + 1, updated_at = $4
     FROM chosen
     WHERE batch_items.batch_id = chosen.batch_id AND batch_items.index = chosen.index
     RETURNING batch_items.*, chosen.turn`,
    [budgetKey, options.owner, options.count, options.now, options.leaseExpiresAt],
  );
  const claimed = rows.map((row) => ({ item: toBatchItemRecord(row), turn: Number(row.turn) }));
  claimed.sort(
    (a, b) =>
      a.turn - b.turn ||
      a.item.index - b.item.index ||
      a.item.queuedAt.getTime() - b.item.queuedAt.getTime() ||
      compare(a.item.batchId, b.item.batchId),
  );
  return claimed.map(({ item }) => item);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
