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
 * Upserts one record, idempotently: the same content again changes nothing; other content is the
 * next version of the same row. A read older than the stored one never overwrites it, so
 * webhooks delivered out of order and a sync racing a webhook end on the newest state:
 * - the provider's `updatedAt` may not go backwards (when both are known);
 * - a conversation that is over (ENDED, FAILED) does not become live again.
 * Returns the change, or null when nothing was written.
 */
export async function upsertSyncedRecord(db: Queryable, write: SyncedRecordWrite, now: Date): Promise<SyncedRecordChange | null> {
  const { rows } = await db.query<{
    version: number;
    inserted: boolean;
    previous_status: string | null;
    previous_message_count: number | null;
    previous_cost_known: boolean | null;
  }>(
    `WITH previous AS (
       SELECT status, message_count, cost_known FROM synced_records
        WHERE workspace_id = $1 AND provider = $2 AND kind = $3 AND native_id = $4
     )
     INSERT INTO synced_records AS r (workspace_id, provider, kind, native_id, version, content_hash, record, status,
                                      created_at, provider_updated_at, message_count, cost_known, first_synced_at, synced_at)
     VALUES ($1, $2, $3, $4, 1, $5, $6::text::jsonb, $7, $8::timestamptz, $9::timestamptz, $10, $11, $12, $12)
     ON CONFLICT (workspace_id, provider, kind, native_id) DO UPDATE SET
       version = r.version + 1, content_hash = EXCLUDED.content_hash, record = EXCLUDED.record,
       status = EXCLUDED.status, created_at = EXCLUDED.created_at, provider_updated_at = EXCLUDED.provider_updated_at,
       message_count = EXCLUDED.message_count, cost_known = EXCLUDED.cost_known, synced_at = EXCLUDED.synced_at
     WHERE r.content_hash <> EXCLUDED.content_hash
       AND (r.provider_updated_at IS NULL OR EXCLUDED.provider_updated_at IS NULL
            OR EXCLUDED.provider_updated_at >= r.provider_updated_at)
       AND NOT (r.status IN ${FINAL} AND EXCLUDED.status NOT IN ${FINAL})
     RETURNING r.version, r.version = 1 AS inserted,
       (SELECT status FROM previous) AS previous_status,
       (SELECT message_count FROM previous) AS previous_message_count,
       (SELECT cost_known FROM previous) AS previous_cost_known`,
    [
      write.workspaceId,
      write.provider,
      write.kind,
      write.nativeId,
      write.contentHash,
      write.encoded,
      write.status,
      write.createdAt,
      write.providerUpdatedAt,
      write.messageCount,
      write.costKnown,
      now,
    ],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    nativeId: write.nativeId,
    version: row.version,
    inserted: row.inserted,
    previousStatus: row.previous_status,
    previousMessageCount: row.previous_message_count,
    previousCostKnown: row.previous_cost_known,
  };
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

/** Deletes an account's conversations created before `cutoff` (retention); returns how many. */
export async function deleteConversationsCreatedBefore(db: Queryable, workspaceId: string, provider: string, cutoff: Date): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM synced_records WHERE workspace_id = $1 AND provider = $2 AND kind = 'Conversation' AND created_at < $3`,
    [workspaceId, provider, cutoff],
  );
  return rowCount;
}
