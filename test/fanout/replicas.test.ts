import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.ts';
import { openTestPglite, openTestPostgres, TEST_DATABASE_URL, type TestDatabase } from '../store/testDatabases.ts';
import { allItems, phoneCalls, startHarness, tally, WORKSPACE, type Harness } from './fanoutHarness.ts';

/**
 * Two FanoutService replicas on one database share one provider budget. The simulator refuses
 * (429) any create past its limit, so "never above the limit" alone would hold even for replicas
 * that did not share their count; that they share it shows as no 429 at all.
 */
function replicaSuite(open: () => Promise<TestDatabase>, secondConnection: (target: TestDatabase) => Promise<Database>) {
  let target: TestDatabase;
  let harness: Harness | null = null;
  beforeAll(async () => {
    target = await open();
  });
  afterAll(async () => {
    await target?.dispose();
  });
  afterEach(async () => {
    await harness?.close();
    harness = null;
  });

  it('two replicas stay within one shared budget of 5 and finish a batch of 40 together', async () => {
    harness = await startHarness({ limit: 5 });
    const first = await harness.startService(target.db, { replicaId: 'replica-1' });
    const second = await harness.startService(await secondConnection(target), { replicaId: 'replica-2' });
    const batch = await first.createBatch(WORKSPACE, { conversations: phoneCalls(40) });

    const done = await second.waitForBatch(WORKSPACE, batch.id, 30);
    expect(done?.status).toBe('COMPLETED');
    expect(done?.counts).toMatchObject({ ENDED: 40 });
    const stats = harness.stats();
    expect(stats.created).toBe(40);
    expect(stats.duplicateRequestIds).toEqual([]);
    expect(stats.peak).toBe(5);
    expect(stats.rejected429).toBe(0);
    const items = await allItems(first, WORKSPACE, batch.id);
    expect(items.every((item) => item.attempts === 1)).toBe(true);
    const senders = Object.keys(tally(items.map((item) => item.dispatchedBy ?? 'NONE')));
    expect(senders.every((sender) => sender === 'replica-1' || sender === 'replica-2')).toBe(true);
    expect(harness.errors).toEqual([]);
  });
}

describe('fan-out replicas on one PGlite (one process, two services)', () => {
  replicaSuite(openTestPglite, async (target) => target.db);
});

describe.skipIf(!TEST_DATABASE_URL)('fan-out replicas on PostgreSQL (TEST_DATABASE_URL, separate pools)', () => {
  replicaSuite(openTestPostgres, (target) => target.openAnother());
});
