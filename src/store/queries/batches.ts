import type { Queryable } from '../database.ts';
import type { BatchRecord, NewBatchItem } from '../records.ts';
import { BATCH_COUNT_COLUMNS, toBatchRecord, type Row } from '../rowMappers.ts';

export interface NewBatch {
  id: string;
  workspaceId: string;
  idempotencyKey: string | null;
  requestHash: string;
  createdAt: Date;
  items: readonly NewBatchItem[];
}

/**
 * Inserts a batch and all its items, QUEUED. When the workspace already has a batch under the same
 * idempotency key, inserts nothing and returns null; the caller then reads that batch. Run it in a
 * transaction: the batch and its items appear together or not at all.
 */
export async function insertBatchWithItems(tx: Queryable, batch: NewBatch): Promise<{ id: string } | null> {
  const inserted = await tx.query<{ id: string }>(
    `INSERT INTO batches (id, workspace_id, idempotency_key, request_hash, item_count, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT ON CONSTRAINT batches_idempotency_key_unique DO NOTHING
     RETURNING id`,
    [batch.id, batch.workspaceId, batch.idempotencyKey, batch.requestHash, batch.items.length, batch.createdAt],
  );
  if (inserted.rows.length === 0) return null;

  const items = batch.items.map((item) => ({
    index: item.index,
    request_id: item.requestId,
    provider: item.provider,
    budget_key: item.budgetKey,
    agent_native_id: item.agentNativeId,
    channel: item.channel,
    to_number: item.toNumber,
    sip_trunk_address: item.sipTrunkAddress,
    dynamic_variables: item.dynamicVariables,
    prospect: item.prospect,
  }));
  // One statement for the whole batch: the items travel as one JSON document.
  await tx.query(
    `INSERT INTO batch_items (batch_id, index, request_id, workspace_id, provider, budget_key, agent_native_id, channel,
                              to_number, sip_trunk_address, dynamic_variables, prospect, state, queued_at, updated_at)
     SELECT $1, i.index, i.request_id, $2, i.provider, i.budget_key, i.agent_native_id, i.channel,
            i.to_number, i.sip_trunk_address, i.dynamic_variables, i.prospect, 'QUEUED', $3, $3
     FROM jsonb_to_recordset($4::text::jsonb) AS i(index int, request_id uuid, provider text, budget_key text,
          agent_native_id text, channel text, to_number text, sip_trunk_address text, dynamic_variables jsonb, prospect jsonb)`,
    [batch.id, batch.workspaceId, batch.createdAt, JSON.stringify(items)],
  );
  return { id: batch.id };
}

/** The workspace's batch under an idempotency key, or null. */
export async function findBatchByIdempotencyKey(
  db: Queryable,
  workspaceId: string,
  idempotencyKey: string,
): Promise<BatchRecord | null> {
  const { rows } = await db.query<Row>(
    `SELECT b.*, c.* FROM batches b
     CROSS JOIN LATERAL (SELECT ${BATCH_COUNT_COLUMNS} FROM batch_items i WHERE i.batch_id = b.id) c
     WHERE b.workspace_id = $1 AND b.idempotency_key = $2`,
    [workspaceId, idempotencyKey],
  );
  return rows[0] ? toBatchRecord(rows[0]) : null;
}

/** A batch of the workspace with its item counts; null when absent or another workspace's. */
export async function findBatch(db: Queryable, workspaceId: string, batchId: string): Promise<BatchRecord | null> {
  if (!isUuid(batchId)) return null;
  const { rows } = await db.query<Row>(
    `SELECT b.*, c.* FROM batches b
     CROSS JOIN LATERAL (SELECT ${BATCH_COUNT_COLUMNS} FROM batch_items i WHERE i.batch_id = b.id) c
     WHERE b.workspace_id = $1 AND b.id = $2`,
    [workspaceId, batchId],
  );
  return rows[0] ? toBatchRecord(rows[0]) : null;
}

/**
 * The workspace's batches among `batchIds`, with their item counts, in one statement whatever
 * the number of ids (a `nodes(ids:)` of many batch ids is one query, not one per id). Ids that are
 * malformed, unknown or another workspace's are simply absent from the result; order is not kept.
 */
export async function findBatches(db: Queryable, workspaceId: string, batchIds: readonly string[]): Promise<BatchRecord[]> {
  const ids = [...new Set(batchIds.filter(isUuid))];
  if (ids.length === 0) return [];
  // The ids travel as one JSON array: `pg` and PGlite agree on text, not on JavaScript arrays.
  const { rows } = await db.query<Row>(
    `SELECT b.*, c.* FROM batches b
     CROSS JOIN LATERAL (SELECT ${BATCH_COUNT_COLUMNS} FROM batch_items i WHERE i.batch_id = b.id) c
     WHERE b.workspace_id = $1 AND b.id IN (SELECT jsonb_array_elements_text($2::text::jsonb)::uuid)`,
    [workspaceId, JSON.stringify(ids)],
  );
  return rows.map(toBatchRecord);
}

export interface BatchPosition {
  createdAt: Date;
  id: string;
}

/** How many batches the workspace has. */
export async function countBatches(db: Queryable, workspaceId: string): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM batches WHERE workspace_id = $1', [workspaceId]);
  return rows[0]?.count ?? 0;
}

/** The workspace's batches, newest first, strictly after `after`; `limit` at most. */
export async function listBatches(
  db: Queryable,
  workspaceId: string,
  options: { after: BatchPosition | null; limit: number },
): Promise<BatchRecord[]> {
  const { after, limit } = options;
  const { rows } = await db.query<Row>(
    `SELECT b.*, c.* FROM batches b
     CROSS JOIN LATERAL (SELECT ${BATCH_COUNT_COLUMNS} FROM batch_items i WHERE i.batch_id = b.id) c
     WHERE b.workspace_id = $1
       AND ($2::timestamptz IS NULL OR (b.created_at, b.id) < ($2::timestamptz, $3::uuid))
     ORDER BY b.created_at DESC, b.id DESC
     LIMIT $4`,
    [workspaceId, after?.createdAt ?? null, after?.id ?? null, limit],
  );
  return rows.map(toBatchRecord);
}

/**
 * Marks the batch as cancelled and its QUEUED items CANCELLED; items already sent are left to
 * finish. An item a dispatcher holds locked right now is skipped by the row lock's re-check: it is
 * DISPATCHING by the time this statement sees it. Returns how many items were cancelled, or null
 * when the workspace has no such batch.
 */
export async function cancelBatch(tx: Queryable, workspaceId: string, batchId: string, now: Date): Promise<number | null> {
  if (!isUuid(batchId)) return null;
  const batch = await tx.query(
    `UPDATE batches SET cancel_requested_at = coalesce(cancel_requested_at, $3)
     WHERE workspace_id = $1 AND id = $2 RETURNING id`,
    [workspaceId, batchId, now],
  );
  if (batch.rows.length === 0) return null;
  const items = await tx.query(
    `UPDATE batch_items SET state = 'CANCELLED', finished_at = $2, updated_at = $2
     WHERE batch_id = $1 AND state = 'QUEUED'`,
    [batchId, now],
  );
  return items.rowCount;
}

/** Ids come from clients; a malformed one is simply not found rather than a SQL error. */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
