import type { Database } from '../../store/database.ts';

/**
 * The highest `change_seq` that is safe to hand out as the next `updatedSince`: every number at or
 * below it belongs to a committed change. Writers hold the same advisory lock shared from before
 * they take their number until they commit (the trigger of migration 0004), so once this holds it
 * exclusively, no number at or below the sequence's last value is still in flight, and every later
 * writer's number is above it.
 */
export async function readChangeWatermark(db: Database): Promise<bigint> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('switchboard.change_seq'))`);
    const { rows } = await tx.query<{ seq: string }>(
      `SELECT (CASE WHEN is_called THEN last_value ELSE 0 END)::text AS seq FROM synced_records_change_seq`,
    );
    return BigInt(rows[0]?.seq ?? '0');
  });
}
