import type { Queryable } from '../database.ts';
import type { BatchItemRecord } from '../records.ts';
import { toBatchItemRecord, type Row } from '../rowMappers.ts';

/**
 * At start-up: the DISPATCHING items an earlier life of this replica left behind become due for
 * reconciliation. Their requests died with that process, so there is no answer to wait for; but
 * the provider may still be working on a create sent just before the crash, so an item is due no
 * earlier than `graceMs` after it was dispatched (a lookup before then could miss a conversation
 * still being created, and requeue it). Leases only get shorter here, never longer.
 */
export async function expireLeasesOf(db: Queryable, owner: string, now: Date, options: { graceMs?: number } = {}): Promise<number> {
  const { rowCount } = await db.query(
    `WITH due AS (
       SELECT batch_id, index,
              greatest($2::timestamptz, coalesce(dispatched_at, $2::timestamptz) + $3::int * interval '1 millisecond') AS at
       FROM batch_items WHERE state = 'DISPATCHING' AND lease_owner = $1)
     UPDATE batch_items AS i SET lease_expires_at = due.at, updated_at = $2
     FROM due
     WHERE i.batch_id = due.batch_id AND i.index = due.index AND i.state = 'DISPATCHING'
       AND (i.lease_expires_at IS NULL OR i.lease_expires_at > due.at)`,
    [owner, now, Math.round(options.graceMs ?? 0)],
  );
  return rowCount;
}

/**
 * Takes up to `limit` DISPATCHING items of a budget whose lease has expired (their sender crashed,
 * or their create got no clear answer) and leases them to `owner` for the reconciliation.
 *
 * Only items dispatched at or before `landedBy` are taken, whatever their lease says: a create
 * dispatched later may still land at the provider, so a lookup now could miss it and requeue it.
 * This is the last guard of "never dial twice"; the leases and grace periods are set so that it
 * rarely has to hold anything back.
 */
export async function claimExpiredDispatches(
  tx: Queryable,
  budgetKey: string,
  options: { owner: string; now: Date; leaseExpiresAt: Date; limit: number; landedBy: Date },
): Promise<BatchItemRecord[]> {
  const { rows } = await tx.query<Row>(
    `UPDATE batch_items SET lease_owner = $2, lease_expires_at = $4, updated_at = $3
     WHERE (batch_id, index) IN (
       SELECT batch_id, index FROM batch_items
       WHERE budget_key = $1 AND state = 'DISPATCHING' AND lease_expires_at <= $3
         AND coalesce(dispatched_at, updated_at) <= $6
       ORDER BY dispatched_at
       LIMIT $5
       FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [budgetKey, options.owner, options.now, options.leaseExpiresAt, options.limit, options.landedBy],
  );
  return rows.map(toBatchItemRecord);
}

/** The earliest lease expiry among a budget's DISPATCHING items, to know when to look again. */
export async function nextLeaseExpiry(db: Queryable, budgetKey: string): Promise<Date | null> {
  const { rows } = await db.query<{ next: Date | null }>(
    `SELECT min(lease_expires_at) AS next FROM batch_items WHERE budget_key = $1 AND state = 'DISPATCHING'`,
    [budgetKey],
  );
  const next = rows[0]?.next ?? null;
  return next === null ? null : new Date(next);
}

/**
 * The provider could not answer the reconciliation. Below `maxAttempts` the items wait until
 * `retryAt`; at `maxAttempts` they become UNRESOLVED with the reason: reported, never guessed.
 * Returns how many became UNRESOLVED.
 */
export async function recordReconciliationFailure(
  tx: Queryable,
  requestIds: readonly string[],
  options: { reason: string; maxAttempts: number; retryAt: Date; now: Date },
): Promise<number> {
  if (requestIds.length === 0) return 0;
  const { rows } = await tx.query<{ state: string }>(
    `UPDATE batch_items SET
       reconcile_attempts = reconcile_attempts + 1,
       state = CASE WHEN reconcile_attempts + 1 >= $3 THEN 'UNRESOLVED' ELSE state END,
       reconciled_outcome = CASE WHEN reconcile_attempts + 1 >= $3 THEN 'UNRESOLVED' ELSE reconciled_outcome END,
       error_code = CASE WHEN reconcile_attempts + 1 >= $3 THEN 'RECONCILIATION_FAILED' ELSE error_code END,
       error_message = $2,
       finished_at = CASE WHEN reconcile_attempts + 1 >= $3 THEN $5::timestamptz END,
       lease_owner = CASE WHEN reconcile_attempts + 1 >= $3 THEN NULL ELSE lease_owner END,
       lease_expires_at = CASE WHEN reconcile_attempts + 1 >= $3 THEN NULL ELSE $4::timestamptz END,
       updated_at = $5
     WHERE state = 'DISPATCHING' AND request_id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::text::jsonb))
     RETURNING state`,
    [JSON.stringify(requestIds), options.reason, options.maxAttempts, options.retryAt, options.now],
  );
  return rows.filter((row) => row.state === 'UNRESOLVED').length;
}
