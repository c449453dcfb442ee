import type { Queryable } from '../database.ts';

/** A position in an account's newest-first conversation order (see `ConversationPosition`), instants as text. */
export interface StoredPosition {
  createdAt: string;
  nativeId: string;
}

export interface SyncAccountRecord {
  workspaceId: string;
  provider: string;
  watermark: string | null;
  backfillPosition: StoredPosition | null;
  backfillDone: boolean;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  lastAttemptAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
}

type Row = {
  workspace_id: string;
  provider: string;
  watermark: string | null;
  backfill_position: StoredPosition | null;
  backfill_done: boolean;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  last_attempt_at: Date | null;
  last_success_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
};

function toRecord(row: Row): SyncAccountRecord {
  return {
    workspaceId: row.workspace_id,
    provider: row.provider,
    watermark: row.watermark,
    backfillPosition: row.backfill_position,
    backfillDone: row.backfill_done,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    lastAttemptAt: row.last_attempt_at,
    lastSuccessAt: row.last_success_at,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
  };
}

/**
 * Takes (or renews) the lease on an account's sync: one replica syncs an account at a time. A
 * lease another replica let expire (it died, or stalled past the TTL) is taken over. Creates the
 * account's row on first use. Returns the account when this replica holds the lease, else null.
 */
export async function claimSyncLease(
  db: Queryable,
  key: { workspaceId: string; provider: string },
  owner: string,
  now: Date,
  ttlMs: number,
): Promise<SyncAccountRecord | null> {
  await db.query(
    `INSERT INTO sync_accounts (workspace_id, provider, updated_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [key.workspaceId, key.provider, now],
  );
  const { rows } = await db.query<Row>(
    `UPDATE sync_accounts SET lease_owner = $3, lease_expires_at = $5, last_attempt_at = $4, updated_at = $4
      WHERE workspace_id = $1 AND provider = $2
        AND (lease_owner IS NULL OR lease_owner = $3 OR lease_expires_at <= $4)
      RETURNING *`,
    [key.workspaceId, key.provider, owner, now, new Date(now.getTime() + ttlMs)],
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

/** Gives the lease back (a graceful stop), so another replica need not wait for it to expire. */
export async function releaseSyncLease(db: Queryable, key: { workspaceId: string; provider: string }, owner: string): Promise<void> {
  await db.query(
    `UPDATE sync_accounts SET lease_owner = NULL, lease_expires_at = NULL WHERE workspace_id = $1 AND provider = $2 AND lease_owner = $3`,
    [key.workspaceId, key.provider, owner],
  );
}

/**
 * Records how far the sync got, only while `owner` still holds the lease (a replica that lost it
 * must not move another's progress). Returns false when the lease is gone.
 */
export async function recordSyncProgress(
  db: Queryable,
  key: { workspaceId: string; provider: string },
  owner: string,
  progress: { watermark?: string | null; backfillPosition?: StoredPosition | null; backfillDone?: boolean },
  now: Date,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE sync_accounts SET
       watermark = CASE WHEN $4 THEN $5 ELSE watermark END,
       backfill_position = CASE WHEN $6 THEN $7::text::jsonb ELSE backfill_position END,
       backfill_done = coalesce($8, backfill_done),
       updated_at = $9
     WHERE workspace_id = $1 AND provider = $2 AND lease_owner = $3`,
    [
      key.workspaceId,
      key.provider,
      owner,
      progress.watermark !== undefined,
      progress.watermark ?? null,
      progress.backfillPosition !== undefined,
      progress.backfillPosition === undefined || progress.backfillPosition === null ? null : JSON.stringify(progress.backfillPosition),
      progress.backfillDone ?? null,
      now,
    ],
  );
  return rowCount > 0;
}

/** A pass that finished: freshness is measured from here. */
export async function recordSyncSuccess(db: Queryable, key: { workspaceId: string; provider: string }, now: Date): Promise<void> {
  await db.query(
    `UPDATE sync_accounts SET last_success_at = $3, last_error = NULL, updated_at = $3 WHERE workspace_id = $1 AND provider = $2`,
    [key.workspaceId, key.provider, now],
  );
}

/** A pass that failed: the message (never a credential: provider errors carry none) and when. */
export async function recordSyncError(db: Queryable, key: { workspaceId: string; provider: string }, message: string, now: Date): Promise<void> {
  await db.query(
    `UPDATE sync_accounts SET last_error = $3, last_error_at = $4, updated_at = $4 WHERE workspace_id = $1 AND provider = $2`,
    [key.workspaceId, key.provider, message, now],
  );
}

/** A workspace's sync accounts (freshness in the graph). */
export async function listSyncAccounts(db: Queryable, workspaceId: string): Promise<SyncAccountRecord[]> {
  const { rows } = await db.query<Row>(`SELECT * FROM sync_accounts WHERE workspace_id = $1 ORDER BY provider`, [workspaceId]);
  return rows.map(toRecord);
}
