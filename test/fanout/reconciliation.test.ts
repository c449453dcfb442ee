import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FanoutService } from '../../src/fanout/fanoutService.ts';
import { openTestPglite, type TestDatabase } from '../store/testDatabases.ts';
import { allItems, eventually, FAST_TIMING, phoneCalls, startHarness, tally, WORKSPACE, type Harness } from './fanoutHarness.ts';
import { killableDatabase } from './killableDatabase.ts';

const CREATE = 'POST /api/v2/conversations';

describe('fan-out reconciliation after ambiguous creates and crashes (PGlite)', () => {
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

  const createsReceived = () => harness.simulator.server.count(CREATE);

  // The second case: a field the fan-out does not read, broken in every answer (create,
  // reconciliation list, status poll), must stop none of them. Once a time had to be a time
  // (9207d70), one garbled `userJoinTime` failed each status poll of a hundred conversations whole,
  // every round, and the batch never finished: the fan-out validated whole records it needs three
  // fields of (an outside trial).
  it.each([
    ['as the provider sends them', null],
    ['with a field the fan-out does not read broken in every answer', { field: 'userJoinTime', value: 'not-a-date' }],
  ] as const)('finds conversations a timed-out create did make, and never sends them again: answers %s', async (_, broken) => {
    harness = await startHarness({ limit: 5, timeoutMs: 400 });
    if (broken) harness.simulator.server.setFault('*', { kind: 'drift', field: broken.field, to: { value: broken.value } });
    // The first create is answered after the client gave up; the provider still creates them.
    harness.simulator.server.setFault(CREATE, { kind: 'slow', delayMs: 700 });
    const service = await harness.startService(target.db);
    const batch = await service.createBatch(WORKSPACE, { conversations: phoneCalls(12) });
    await eventually(() => (createsReceived() >= 1 ? true : undefined), 'the first create');
    harness.simulator.server.setFault(CREATE, null);

    const done = await service.waitForBatch(WORKSPACE, batch.id, 30);
    expect(done?.counts).toMatchObject({ ENDED: 12 });
    const stats = harness.stats();
    expect(stats.created).toBe(12);
    expect(stats.duplicateRequestIds).toEqual([]);
    const items = await allItems(service, WORKSPACE, batch.id);
    expect(tally(items.map((item) => item.reconciledOutcome ?? 'NONE'))).toEqual({ FOUND: 5, NONE: 7 });
    expect(items.every((item) => item.attempts === 1)).toBe(true);
  });

  // Issue 8, part 1: "a 429 created nothing" was an Oration assumption baked into the fan-out;
  // now the creator says whether its creates are all-or-nothing.
  it.each([false, true])('after a 429 with allOrNothing %s: reconciles when creates may be partial, else requeues', async (allOrNothing) => {
    harness = await startHarness({ limit: 5, allOrNothing });
    harness.simulator.server.setFault(CREATE, { kind: 'rateLimit', retryAfterSeconds: 0, times: 1 });
    const service = await harness.startService(target.db);
    const batch = await service.createBatch(WORKSPACE, { conversations: phoneCalls(5) });
    const done = await service.waitForBatch(WORKSPACE, batch.id, 30);
    expect(done?.counts).toMatchObject({ ENDED: 5 });
    expect(harness.stats().created).toBe(5);
    expect(harness.stats().duplicateRequestIds).toEqual([]);
    const items = await allItems(service, WORKSPACE, batch.id);
    // Partial: the provider is asked before anything is sent again (it made none of them).
    expect(tally(items.map((item) => item.reconciledOutcome ?? 'NONE'))).toEqual(allOrNothing ? { NONE: 5 } : { NOT_FOUND: 5 });
    expect(items.every((item) => item.attempts === 2)).toBe(true);
  });

  it('requeues items of a create that provably made nothing, and creates each once', async () => {
    harness = await startHarness({ limit: 5, timeoutMs: 400 });
    // The first create is never answered and creates nothing.
    harness.simulator.server.setFault(CREATE, { kind: 'timeout' });
    const service = await harness.startService(target.db);
    const batch = await service.createBatch(WORKSPACE, { conversations: phoneCalls(12) });
    await eventually(() => (createsReceived() >= 1 ? true : undefined), 'the first create');
    harness.simulator.server.setFault(CREATE, null);

    const done = await service.waitForBatch(WORKSPACE, batch.id, 30);
    expect(done?.counts).toMatchObject({ ENDED: 12 });
    const stats = harness.stats();
    expect(stats.created).toBe(12);
    expect(stats.duplicateRequestIds).toEqual([]);
    const items = await allItems(service, WORKSPACE, batch.id);
    const requeued = items.filter((item) => item.reconciledOutcome === 'NOT_FOUND');
    expect(requeued).toHaveLength(5);
    expect(requeued.every((item) => item.attempts === 2)).toBe(true);
  });

  it('reports items UNRESOLVED when the provider cannot answer the reconciliation, never guessing', async () => {
    harness = await startHarness({ limit: 5 });
    // Creating and listing conversations fail; the agent lookup still works.
    harness.simulator.server.setFault(CREATE, { kind: 'status', status: 500 });
    harness.simulator.server.setFault('GET /api/v2/conversations', { kind: 'status', status: 500 });
    const service = await harness.startService(target.db);
    const batch = await service.createBatch(WORKSPACE, { conversations: phoneCalls(3) });
    const done = await service.waitForBatch(WORKSPACE, batch.id, 30);
    expect(done?.status).toBe('COMPLETED_WITH_ERRORS');
    expect(done?.counts).toMatchObject({ UNRESOLVED: 3 });
    const items = await allItems(service, WORKSPACE, batch.id);
    expect(items.map((item) => [item.reconciledOutcome, item.error?.code])).toEqual(
      Array.from({ length: 3 }, () => ['UNRESOLVED', 'RECONCILIATION_FAILED']),
    );
    expect(items.every((item) => item.attempts === 1)).toBe(true);
    expect(harness.stats().created).toBe(0);
  });

  /** Starts replica A, lets its first create reach the provider, then cuts it off mid-dispatch. */
  async function crashMidDispatch(count: number): Promise<{ batchId: string; crashed: FanoutService }> {
    harness.simulator.server.setFault(CREATE, { kind: 'slow', delayMs: 300 });
    const { db, kill } = killableDatabase(target.db);
    const crashed = await harness.startService(db, { replicaId: 'replica-a', onError: () => {} });
    const batch = await crashed.createBatch(WORKSPACE, { conversations: phoneCalls(count) });
    await eventually(() => (createsReceived() >= 1 ? true : undefined), 'the first create');
    kill();
    harness.simulator.server.setFault(CREATE, null);
    // The provider finishes the create; replica A can no longer record it.
    await eventually(() => (harness.stats().created === 5 ? true : undefined), 'the provider to create the first burst');
    const stranded = await target.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM batch_items WHERE batch_id = $1 AND state = 'DISPATCHING' AND lease_owner = 'replica-a'`,
      [batch.id],
    );
    expect(stranded.rows[0]?.n).toBe(5);
    return { batchId: batch.id, crashed };
  }

  it('lets another replica finish after a crash, once the leases expire, without dialing twice', async () => {
    harness = await startHarness({ limit: 5 });
    const { batchId } = await crashMidDispatch(12);
    // Replica B's clock is past replica A's leases: A is presumed dead.
    const errors: string[] = [];
    const successor = await harness.startService(target.db, {
      replicaId: 'replica-b',
      clock: { now: () => new Date(Date.now() + 10_000) },
      onError: (error) => errors.push(String(error)),
    });
    const done = await successor.waitForBatch(WORKSPACE, batchId, 30);
    expect(done?.counts).toMatchObject({ ENDED: 12 });
    const stats = harness.stats();
    expect(stats.created).toBe(12);
    expect(stats.duplicateRequestIds).toEqual([]);
    const items = await allItems(successor, WORKSPACE, batchId);
    expect(tally(items.map((item) => item.reconciledOutcome ?? 'NONE'))).toEqual({ FOUND: 5, NONE: 7 });
    expect(tally(items.map((item) => item.dispatchedBy ?? 'NONE'))).toEqual({ 'replica-a': 5, 'replica-b': 7 });
    expect(errors).toEqual([]);
  });

  it('reconciles its own leftovers at once when the crashed replica restarts under its id', async () => {
    harness = await startHarness({ limit: 5 });
    const { batchId } = await crashMidDispatch(8);
    const restarted = await harness.startService(target.db, { replicaId: 'replica-a' });
    const done = await restarted.waitForBatch(WORKSPACE, batchId, 30);
    expect(done?.counts).toMatchObject({ ENDED: 8 });
    const stats = harness.stats();
    expect(stats.created).toBe(8);
    expect(stats.duplicateRequestIds).toEqual([]);
    const items = await allItems(restarted, WORKSPACE, batchId);
    expect(tally(items.map((item) => item.reconciledOutcome ?? 'NONE'))).toEqual({ FOUND: 5, NONE: 3 });
  });
});
