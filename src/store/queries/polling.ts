import type { Queryable } from '../database.ts';
import type { BatchItemRecord } from '../records.ts';
import { toBatchItemRecord, type Row } from '../rowMappers.ts';

/** CREATED items of a budget, least recently polled first, so a large budget is polled fairly. */
export async function listItemsToPoll(db: Queryable, budgetKey: string, limit: number): Promise<BatchItemRecord[]> {
  const { rows } = await db.query<Row>(
    `SELECT * FROM batch_items WHERE budget_key = $1 AND state = 'CREATED'
     ORDER BY last_polled_at NULLS FIRST, created_at
     LIMIT $2`,
    [budgetKey, limit],
  );
  return rows.map(toBatchItemRecord);
}

export interface ConversationProgress {
  requestId: string;
  /** Unified status, e.g. IN_PROGRESS; null when the provider no longer knows the conversation. */
  status: string | null;
  statusRaw: string | null;
  /** Over, whatever the outcome: the slot is free. */
  ended: boolean;
  conversationEndedAt: Date | null;
  /** Why it counts as ended without the provider saying so (e.g. it vanished). */
  note: string | null;
}

/**
 * Records what a poll saw. Ended conversations turn their items ENDED, which releases the slot;
 * the others only get their status refreshed. Only CREATED items change, so a poll answered late,
 * or by two replicas, does no harm. Returns how many items ended.
 */
export async function recordConversationProgress(
  tx: Queryable,
  progress: readonly ConversationProgress[],
  now: Date,
): Promise<number> {
  if (progress.length === 0) return 0;
  const { rows } = await tx.query<{ state: string }>(
    `UPDATE batch_items AS i SET
       state = CASE WHEN p.ended THEN 'ENDED' ELSE 'CREATED' END,
       conversation_status = coalesce(p.status, i.conversation_status),
       conversation_status_raw = coalesce(p.status_raw, i.conversation_status_raw),
       conversation_ended_at = coalesce(p.ended_at, i.conversation_ended_at),
       ended_at = CASE WHEN p.ended THEN $2::timestamptz END,
       finished_at = CASE WHEN p.ended THEN $2::timestamptz END,
       error_message = coalesce(p.note, i.error_message),
       last_polled_at = $2, updated_at = $2
     FROM jsonb_to_recordset($1::text::jsonb)
          AS p(request_id uuid, status text, status_raw text, ended boolean, ended_at timestamptz, note text)
     WHERE i.request_id = p.request_id AND i.state = 'CREATED'
     RETURNING i.state`,
    [
      JSON.stringify(
        progress.map((p) => ({
          request_id: p.requestId,
          status: p.status,
          status_raw: p.statusRaw,
          ended: p.ended,
          ended_at: p.conversationEndedAt?.toISOString() ?? null,
          note: p.note,
        })),
      ),
      now,
    ],
  );
  return rows.filter((row) => row.state === 'ENDED').length;
}
