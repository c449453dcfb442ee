import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openTestPglite, type TestDatabase } from '../store/testDatabases.ts';
import { allItems, eventually, phoneCalls, startHarness, tally, WORKSPACE, type Harness } from './fanoutHarness.ts';

const CREATE = 'POST /api/v2/conversations';

/**
 * A field the fan-out does not read, broken in every answer (create, reconciliation list, status
 * poll), must stop none of them. Once a time had to be a time (9207d70), one garbled
 * `userJoinTime` failed each status poll of a hundred conversations whole, every round, and the
 * batch never finished: the fan-out validated whole records it needs three fields of (an outside trial).
 */
describe('fan-out with a provider field broken that it does not read (PGlite)', () => {
  let target: TestDatabase;
  let harness: Harness;
  beforeAll(async () => {
    target = await openTestPglite();
  });
  afterAll(async () => {
    await target?.dispose();
  });
  afterEach(async () => {
    await harness?.close();
  });

  it('creates, reconciles and polls every item to its end, each once', async () => {
    harness = await startHarness({ limit: 5, timeoutMs: 400 });
    // Every answer's conversations carry a garbled join time; the first create is answered after
    // the client gave up (the provider still makes them), so reconciliation reads them too.
    harness.simulator.server.setFault('*', { kind: 'drift', field: 'userJoinTime', to: { value: 'not-a-date' } });
    harness.simulator.server.setFault(CREATE, { kind: 'slow', delayMs: 700 });
    const service = await harness.startService(target.db);
    const batch = await service.createBatch(WORKSPACE, { conversations: phoneCalls(12) });
    await eventually(() => (harness.simulator.server.count(CREATE) >= 1 ? true : undefined), 'the first create');
    harness.simulator.server.setFault(CREATE, null);

    const done = await service.waitForBatch(WORKSPACE, batch.id, 30);
    expect(done?.counts).toMatchObject({ ENDED: 12 });
    const stats = harness.stats();
    expect(stats.created).toBe(12);
    expect(stats.duplicateRequestIds).toEqual([]);
    const items = await allItems(service, WORKSPACE, batch.id);
    expect(tally(items.map((item) => item.reconciledOutcome ?? 'NONE'))).toEqual({ FOUND: 5, NONE: 7 });
  });
});
