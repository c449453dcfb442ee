import type { Queryable } from '../database.ts';
import type { ReconciledOutcome } from '../records.ts';

/** A conversation the provider created for an item, as far as the fan-out needs it. */
export interface CreatedConversation {
  requestId: string;
  conversationNativeId: string;
  /** Unified status (e.g. DIALING) and the provider's spelling. */
  status: string;
  statusRaw: string | null;
  /** True when the conversation is already over (possible when reconciling late). */
  ended: boolean;
  conversationEndedAt: Date | null;
}

/**
 * Records created conversations: CREATED (slot held), or ENDED straight away when already over.
 * Also accepts a QUEUED item: a late answer proving creation must win over a requeue, or the item
 * would be dialed twice. Returns the request ids actually changed.
 */
export async function recordCreatedItems(
  tx: Queryable,
  conversations: readonly CreatedConversation[],
  now: Date,
  reconciledOutcome: ReconciledOutcome | null = null,
): Promise<string[]> {
  if (conversations.length === 0) return [];
  const { rows } = await tx.query<{ request_id: string }>(
    `UPDATE batch_items AS i SET
       state = CASE WHEN c.ended THEN 'ENDED' ELSE 'CREATED' END,
       conversation_native_id = c.native_id, conversation_status = c.status, conversation_status_raw = c.status_raw,
       conversation_ended_at = c.ended_at, created_at = $2,
       ended_at = CASE WHEN c.ended THEN $2::timestamptz END,
       finished_at = CASE WHEN c.ended THEN $2::timestamptz END,
       lease_owner = NULL, lease_expires_at = NULL,
       reconciled_outcome = coalesce($3, i.reconciled_outcome), updated_at = $2
     FROM jsonb_to_recordset($1::text::jsonb)
          AS c(request_id uuid, native_id text, status text, status_raw text, ended boolean, ended_at timestamptz)
     WHERE i.request_id = c.request_id AND i.state IN ('DISPATCHING', 'QUEUED')
     RETURNING i.request_id`,
    [
      JSON.stringify(
        conversations.map((c) => ({
          request_id: c.requestId,
          native_id: c.conversationNativeId,
          status: c.status,
          status_raw: c.statusRaw,
          ended: c.ended,
          ended_at: c.conversationEndedAt?.toISOString() ?? null,
        })),
      ),
      now,
      reconciledOutcome,
    ],
  );
  return rows.map((row) => String(row.request_id));
}

/** Items the provider refused: FAILED with its reason kept. They never held a slot. */
export async function recordFailedItems(
  tx: Queryable,
  failures: readonly { requestId: string; code: string; message: string }[],
  now: Date,
): Promise<number> {
  if (failures.length === 0) return 0;
  const { rowCount } = await tx.query(
    `UPDATE batch_items AS i SET state = 'FAILED', error_code = f.code, error_message = f.message,
       lease_owner = NULL, lease_expires_at = NULL, finished_at = $2, updated_at = $2
     FROM jsonb_to_recordset($1::text::jsonb) AS f(request_id uuid, code text, message text)
     WHERE i.request_id = f.request_id AND i.state = 'DISPATCHING'`,
    [JSON.stringify(failures.map((f) => ({ request_id: f.requestId, code: f.code, message: f.message }))), now],
  );
  return rowCount;
}

/**
 * Puts DISPATCHING items back in the queue, keeping their place (queued_at is unchanged), for
 * when the provider provably created nothing: a 429, a refused connection, or a reconciliation
 * that found nothing. Items of a batch cancelled meanwhile become CANCELLED instead.
 */
export async function requeueItems(
  tx: Queryable,
  requestIds: readonly string[],
  now: Date,
  reconciledOutcome: ReconciledOutcome | null = null,
): Promise<number> {
  if (requestIds.length === 0) return 0;
  const { rowCount } = await tx.query(
    `UPDATE batch_items AS i SET
       state = CASE WHEN b.cancel_requested_at IS NULL THEN 'QUEUED' ELSE 'CANCELLED' END,
       finished_at = CASE WHEN b.cancel_requested_at IS NULL THEN NULL ELSE $2::timestamptz END,
       lease_owner = NULL, lease_expires_at = NULL,
       reconciled_outcome = coalesce($3, i.reconciled_outcome), updated_at = $2
     FROM batches b
     WHERE b.id = i.batch_id AND i.state = 'DISPATCHING'
       AND i.request_id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::text::jsonb))`,
    [JSON.stringify(requestIds), now, reconciledOutcome],
  );
  return rowCount;
}

/**
 * Leaves DISPATCHING items whose create got no clear answer (timeout, reset, 5xx, garbled body)
 * for reconciliation at `reconcileAt`: the provider may have created them, so they are never
 * re-sent blindly. The delay lets a create still running at the provider finish first.
 */
export async function deferToReconciliation(
  tx: Queryable,
  requestIds: readonly string[],
  reason: string,
  reconcileAt: Date,
  now: Date,
): Promise<number> {
  if (requestIds.length === 0) return 0;
  const { rowCount } = await tx.query(
    `UPDATE batch_items SET lease_expires_at = $2, error_message = $3, updated_at = $4
     WHERE state = 'DISPATCHING' AND request_id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::text::jsonb))`,
    [JSON.stringify(requestIds), reconcileAt, reason, now],
  );
  return rowCount;
}
