import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findBudget } from '../../src/store/queries/budgets.ts';
import { openTestPglite, type TestDatabase } from '../store/testDatabases.ts';
import { DEMO_ACCOUNT, eventually, phoneCalls, startHarness, WORKSPACE, type Harness } from './fanoutHarness.ts';

/** 50 queued + 50 dialing + 500 talking: each call holds its slot for 600 ms, several polls long. */
const CALLS = {
  queueMs: { kind: 'fixed', ms: 50 },
  dialMs: { kind: 'fixed', ms: 50 },
  talkMs: { kind: 'fixed', ms: 500 },
  unansweredRate: 0,
  failRate: 0,
} as const;

describe('fan-out status polls carry the provider\'s budget (PGlite)', () => {
  let target: TestDatabase;
  let harness: Harness | null = null;
  beforeAll(async () => {
    target = await openTestPglite();
  });
  afterAll(async () => {
    await target?.dispose();
  });
  afterEach(async () => {
    await harness?.close();
    harness = null;
  });

  it('learns a limit lowered mid-batch from its status polls, before any create could be refused', async () => {
    harness = await startHarness({ limit: 5, lifecycle: CALLS });
    const service = await harness.startService(target.db);
    const batch = await service.createBatch(WORKSPACE, { conversations: phoneCalls(12) });
    // The first burst of 5 runs; its create answer said "limit 5". Now the account shrinks to 3
    // (a quota change, or another client's reservation): only status reads can tell before the
    // first calls end, 600 ms after they were created.
    await eventually(() => (harness!.stats().created >= 5 ? true : undefined), 'the first burst');
    harness.simulator.setConcurrencyLimit(DEMO_ACCOUNT.workspaceId, 3);

    const done = await service.waitForBatch(WORKSPACE, batch.id, 30);
    expect(done?.counts).toMatchObject({ ENDED: 12 });
    const stats = harness.stats();
    expect(stats.created).toBe(12);
    expect(stats.duplicateRequestIds).toEqual([]);
    // Without the polls' headers, the first ends would free "5" slots by the old limit, and the
    // burst sized to them would be refused (all-or-nothing) before a probe taught the new limit.
    expect(stats.rejected429).toBe(0);
    expect(await findBudget(target.db, harness.budgetKey)).toMatchObject({ configuredLimit: 5, providerLimit: 3 });
    expect(harness.errors).toEqual([]);
  });

  it('refreshes the remaining count on every poll, with creates since the poll was sent taken off', async () => {
    harness = await startHarness({ limit: 5, lifecycle: CALLS });
    const service = await harness.startService(target.db);
    const batch = await service.createBatch(WORKSPACE, { conversations: phoneCalls(3) });
    // Recorded with the create answer's word (same transaction), then only polls can date a newer one.
    await eventually(async () => ((await service.getBatch(WORKSPACE, batch.id))?.counts.CREATED === 3 ? true : undefined), 'the burst');
    const afterCreate = (await findBudget(target.db, harness.budgetKey))?.observedAt;
    expect(afterCreate).toBeInstanceOf(Date);
    const polled = await eventually(async () => {
      const budget = await findBudget(target.db, harness!.budgetKey);
      return budget?.observedAt && afterCreate && budget.observedAt > afterCreate ? budget : undefined;
    }, 'a poll to bring news');
    expect(polled.providerRemaining).toBe(2);
    expect(harness.simulator.server.count('POST /api/v2/conversations')).toBe(1);
    await service.waitForBatch(WORKSPACE, batch.id, 30);
  });
});
