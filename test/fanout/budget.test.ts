import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.ts';
import { openTestPglite, openTestPostgres, TEST_DATABASE_URL, type TestDatabase } from '../store/testDatabases.ts';
import { allItems, eventually, phoneCalls, startHarness, tally, WORKSPACE, type Harness } from './fanoutHarness.ts';

/** A batch larger than the budget, on one replica: every item is created once, never above the limit. */
function budgetSuite(open: () => Promise<TestDatabase>) {
  let target: TestDatabase;
  let db: Database;
  let harness: Harness | null = null;
  beforeAll(async () => {
    target = await open();
    db = target.db;
  });
  afterAll(async () => {
    await target?.dispose();
  });
  afterEach(async () => {
    await harness?.close();
    harness = null;
  });

  it('creates 60 conversations through a budget of 5: each exactly once, peak exactly 5, no 429', async () => {
    harness = await startHarness({ limit: 5 });
    const service = await harness.startService(db);
    const batch = await service.createBatch(WORKSPACE, { conversations: phoneCalls(60) });
    expect(['QUEUED', 'RUNNING']).toContain(batch.status);
    expect(batch.itemCount).toBe(60);

    const done = await service.waitForBatch(WORKSPACE, batch.id, 30);
    expect(done?.status).toBe('COMPLETED');
    expect(done?.counts).toMatchObject({ ENDED: 60, FAILED: 0, UNRESOLVED: 0, QUEUED: 0, DISPATCHING: 0, CREATED: 0 });
    expect(done?.finishedAt).not.toBeNull();

    const stats = harness.stats();
    expect(stats.created).toBe(60);
    expect(stats.duplicateRequestIds).toEqual([]);
    expect(stats.peak).toBe(5);
    // Alone on the workspace, the local count never lets a create exceed the budget.
    expect(stats.rejected429).toBe(0);

    const items = await allItems(service, WORKSPACE, batch.id);
    expect(tally(items.map((item) => item.state))).toEqual({ ENDED: 60 });
    expect(new Set(items.map((item) => item.conversationNativeId)).size).toBe(60);
    expect(items.every((item) => item.attempts === 1 && item.conversationStatus === 'ENDED')).toBe(true);
    expect(harness.errors).toEqual([]);
  });
}

describe('fan-out budget on PGlite (memory)', () => {
  budgetSuite(openTestPglite);
});

describe.skipIf(!TEST_DATABASE_URL)('fan-out budget on PostgreSQL (TEST_DATABASE_URL)', () => {
  budgetSuite(openTestPostgres);
});
