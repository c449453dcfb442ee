import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readChangeWatermark } from '../../src/analytics/exports/changeWatermark.ts';
import { openTestPostgres, TEST_DATABASE_URL, type TestDatabase } from '../store/testDatabases.ts';
import { insertConversations } from './biFixtures.ts';

describe.skipIf(!TEST_DATABASE_URL)('the export watermark on PostgreSQL', () => {
  let store: TestDatabase;
  let writer: pg.Client;
  beforeEach(async () => {
    store = await openTestPostgres();
    const { rows } = await store.db.query<{ schema: string }>(`SELECT current_schema() AS schema`);
    writer = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${rows[0]?.schema}` });
    await writer.connect();
  });
  afterEach(async () => {
    await writer.end();
    await store.dispose();
  });

  it('waits for a write that took its number but has not committed, so the next pull cannot miss it', async () => {
    await insertConversations(store.db, 'ws', [{ nativeId: 'before', createdAt: '2026-03-01T00:00:00.000Z', cost: null }]);
    await writer.query('BEGIN');
    const { rows } = await writer.query<{ change_seq: string }>(
      `UPDATE synced_records SET synced_at = synced_at + interval '1 second' WHERE native_id = 'before' RETURNING change_seq::text`,
    );
    const inFlight = BigInt(rows[0]?.change_seq ?? '0');

    let settled = false;
    const watermark = readChangeWatermark(store.db).then((value) => {
      settled = true;
      return value;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Handing out a watermark now would cover `inFlight`, which no snapshot can see yet.
    expect(settled).toBe(false);
    await writer.query('COMMIT');
    expect(await watermark).toBe(inFlight);
    const visible = await store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM synced_records WHERE change_seq <= $1::bigint AND change_seq = $2::bigint`, [
      (await watermark).toString(),
      inFlight.toString(),
    ]);
    expect(visible.rows).toEqual([{ n: 1 }]);
  });
});
