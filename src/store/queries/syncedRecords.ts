import type { Queryable } from '../database.ts';

export type SyncedKind = 'Conversation' | 'Agent' | 'Prospect';

/** One record to write: the encoded domain object and the columns filters and totals scan. */
export interface SyncedRecordWrite {
  workspaceId: string;
  provider: string;
  kind: SyncedKind;
  nativeId: string;
  /** `encodeRecord(record)`. */
  encoded: string;
  contentHash: string;
  status: string | null;
  /** Instants as text at the provider's precision (`formatInstant`). */
  createdAt: string | null;
  providerUpdatedAt: string | null;
  messageCount: number | null;
  costKnown: boolean | null;
}

/** What a write changed: nothing (same content, or an older read), or a new version. */
export interface SyncedRecordChange {
  /** Which of the caller's writes this is (its index in `writes`). */
  writeIndex: number;
  nativeId: string;
  version: number;
  /** True for the first version of the record. */
  inserted: boolean;
  previousStatus: string | null;
  previousMessageCount: number | null;
  previousCostKnown: boolean | null;
}

const FINAL = `('ENDED', 'FAILED')`;

/**
 * Most records one upsert statement carries: the statement's text (the records as one JSON
 * parameter) stays a few megabytes at most, and one round trip writes a whole sync page.
 */
export const UPSERT_CHUNK_SIZE = 500;

/**
 * Upserts records, idempotently, one statement per chunk of `UPSERT_CHUNK_SIZE`: the same content
 * again changes nothing; other content is the next version of the same row. A read older than the
 * stored one never overwrites it, so webhooks delivered out of order and a sync racing a webhook
 * end on the newest state:
 * - the provider's `updatedAt` may not go backwards (when both are known);
 * - a conversation that is over (ENDED, FAILED) does not become live again.
 *
 * Rows are written in key order (workspace, kind, provider, native id), so writers on PostgreSQL
 * lock them in one order and never deadlock each other (nor the triggers that take per-row
 * locks). A key named twice is written twice, in the order given, as separate statements would
 * (one statement cannot change a row twice). Returns the changes in the order of `writes`.
 */
export async function upsertSyncedRecords(db: Queryable, writes: readonly SyncedRecordWrite[], now: Date): Promise<SyncedRecordChange[]> {
  const changes: { position: number; change: SyncedRecordChange }[] = [];
  for (const round of roundsOfDistinctKeys(writes)) {
    round.sort((a, b) => compareKeys(a.write, b.write));
    for (let start = 0; start < round.length; start += UPSERT_CHUNK_SIZE) {
      changes.push(...(await upsertChunk(db, round.slice(start, start + UPSERT_CHUNK_SIZE), now)));
    }
  }
  return changes.sort((a, b) => a.position - b.position).map((each) => each.change);
}

interface PositionedWrite {
  /** Where the write was in the caller's list. */
  position: number;
  write: SyncedRecordWrite;
}

/** The writes split so that no key appears twice in one round: round n holds each key's n-th write. */
function roundsOfDistinctKeys(writes: readonly SyncedRecordWrite[]): PositionedWrite[][] {
  const rounds: PositionedWrite[][] = [];
  const seen = new Map<string, number>();
  writes.forEach((write, position) => {
    const key = JSON.stringify([write.workspaceId, write.kind, write.provider, write.nativeId]);
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push({ position, write });
  });
  return rounds;
}

/** Code-unit order of (workspace, kind, provider, native id): the same in every process, whatever the database's collation. */
function compareKeys(a: SyncedRecordWrite, b: SyncedRecordWrite): number {
  for (const field of ['workspaceId', 'kind', 'provider', 'nativeId'] as const) {
    if (a[field] !== b[field]) return a[field] < b[field] ? -1 : 1;
  }
  return 0;
}

/** One statement for up to `UPSERT_CHUNK_SIZE` writes with distinct keys, applied in the given order. */
async function upsertChunk(db: Queryable, chunk: readonly PositionedWrite[], now: Date): Promise<{ position: number; change: SyncedRecordChange }[]> {
  // One JSON array parameter (both adapters pass strings as they are). Each record is already
  // JSON text, spliced in as it is rather than escaped into a string a second time.
  const rows = chunk.map(({ write }, order) => {
    const columns = JSON.stringify({
      order,
      workspace_id: write.workspaceId,
      provider: write.provider,
      kind: write.kind,
      native_id: write.nativeId,
      content_hash: write.contentHash,
      status: write.status,
      created_at: write.createdAt,
      provider_updated_at: write.providerUpdatedAt,
      message_count: write.messageCount,
      cost_known: write.costKnown,
    });
    return `${columns.slice(0, -1)},"record":${write.encoded}}`;
  });
  const { rows: written } = await db.query<{
    order: number;
    version: number;
    inserted: boolean;
    previous_status: string | null;
    previous_message_count: number | null;
    previous_cost_known: boolean | null;
  }>(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS w(
         "order" int, workspace_id text, provider text, kind text, native_id text, content_hash text, record jsonb,
         status text, created_at timestamptz, provider_updated_at timestamptz, message_count int, cost_known boolean)
     ),
     previous AS (
       SELECT i."order", r.status, r.message_count, r.cost_known
         FROM input i JOIN synced_records r USING (workspace_id, provider, kind, native_id)
     ),
     written AS (
       INSERT INTO synced_records AS r (workspace_id, provider, kind, native_id, version, content_hash, record, status,
                                        created_at, provider_updated_at, message_count, cost_known, first_synced_at, synced_at)
       SELECT workspace_id, provider, kind, native_id, 1, content_hash, record, status,
              created_at, provider_updated_at, message_count, cost_known, $2::timestamptz, $2::timestamptz
         FROM input ORDER BY "order"
       ON CONFLICT (workspace_id, provider, kind, native_id) DO UPDATE SET
         version = r.version + 1, content_hash = EXCLUDED.content_hash, record = EXCLUDED.record,
         status = EXCLUDED.status, created_at = EXCLUDED.created_at, provider_updated_at = EXCLUDED.provider_updated_at,
         message_count = EXCLUDED.message_count, cost_known = EXCLUDED.cost_known, synced_at = EXCLUDED.synced_at
       WHERE r.content_hash <> EXCLUDED.content_hash
         AND (r.provider_updated_at IS NULL OR EXCLUDED.provider_updated_at IS NULL
              OR EXCLUDED.provider_updated_at >= r.provider_updated_at)
         AND NOT (r.status IN ${FINAL} AND EXCLUDED.status NOT IN ${FINAL})
       RETURNING r.workspace_id, r.provider, r.kind, r.native_id, r.version
     )
     SELECT i."order", w.version, w.version = 1 AS inserted,
            p.status AS previous_status, p.message_count AS previous_message_count, p.cost_known AS previous_cost_known
       FROM written w
       JOIN input i USING (workspace_id, provider, kind, native_id)
       LEFT JOIN previous p ON p."order" = i."order"`,
    [`[${rows.join(',')}]`, now],
  );
  return written.map((row) => {
    const { position, write } = chunk[row.order] as PositionedWrite;
    return {
      position,
      change: {
        writeIndex: position,
        nativeId: write.nativeId,
        version: row.version,
        inserted: row.inserted,
        previousStatus: row.previous_status,
        previousMessageCount: row.previous_message_count,
        previousCostKnown: row.previous_cost_known,
      },
    };
  });
}

export interface StoredRecord {
  workspaceId: string;
  provider: string;
  kind: SyncedKind;
  nativeId: string;
  version: number;
  record: unknown;
}

/** One record of a workspace, or null. */
export async function findSyncedRecord(
  db: Queryable,
  key: { workspaceId: string; provider: string; kind: SyncedKind; nativeId: string },
): Promise<StoredRecord | null> {
  const { rows } = await db.query<{ version: number; record: unknown }>(
    `SELECT version, record FROM synced_records WHERE workspace_id = $1 AND provider = $2 AND kind = $3 AND native_id = $4`,
    [key.workspaceId, key.provider, key.kind, key.nativeId],
  );
  const row = rows[0];
  return row ? { ...key, version: row.version, record: row.record } : null;
}

/** Native ids of an account's conversations that are not over yet: a sync reads them again. */
export async function listOpenConversationIds(db: Queryable, workspaceId: string, provider: string): Promise<string[]> {
  const { rows } = await db.query<{ native_id: string }>(
    `SELECT native_id FROM synced_records
      WHERE workspace_id = $1 AND provider = $2 AND kind = 'Conversation' AND status NOT IN ${FINAL}
      ORDER BY native_id`,
    [workspaceId, provider],
  );
  return rows.map((row) => row.native_id);
}

/** Records per kind of one account. */
export async function countSyncedRecords(db: Queryable, workspaceId: string, provider: string): Promise<Record<SyncedKind, number>> {
  const { rows } = await db.query<{ kind: SyncedKind; n: number }>(
    `SELECT kind, count(*)::int AS n FROM synced_records WHERE workspace_id = $1 AND provider = $2 GROUP BY kind`,
    [workspaceId, provider],
  );
  const counts: Record<SyncedKind, number> = { Conversation: 0, Agent: 0, Prospect: 0 };
  for (const row of rows) counts[row.kind] = row.n;
  return counts;
}

/**
 * Deletes an account's conversations created before `cutoff` (retention); returns how many. Then
 * drops the stats rollup's slots that the delete left at zero (the rollup keeps a row per slot
 * once written, so retention alone would leave a zero row per 15 minutes behind, forever). Run
 * outside a transaction: the rollup takes the delete at its commit (a deferred trigger), so the
 * second statement finds the slots at zero; inside one it finds none yet, and drops nothing.
 */
export async function deleteConversationsCreatedBefore(db: Queryable, workspaceId: string, provider: string, cutoff: Date): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM synced_records WHERE workspace_id = $1 AND provider = $2 AND kind = 'Conversation' AND created_at < $3`,
    [workspaceId, provider, cutoff],
  );
  if (rowCount > 0) {
    await db.query(
      `DELETE FROM conversation_stats_rollup
        WHERE workspace_id = $1 AND provider = $2 AND slot < $3
          AND conversations = 0 AND without_cost = 0 AND costed = 0 AND talk_seconds = 0 AND ring_seconds = 0 AND cost_total = 0
          AND without_talk = 0 AND without_ring = 0`,
      [workspaceId, provider, cutoff],
    );
    await db.query(
      `DELETE FROM conversation_stats_rollup_components
        WHERE workspace_id = $1 AND provider = $2 AND slot < $3 AND lines = 0 AND amount = 0`,
      [workspaceId, provider, cutoff],
    );
  }
  return rowCount;
}
