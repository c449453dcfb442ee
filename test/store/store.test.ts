import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';
import type { NewBatchItem } from '../../src/store/records.ts';
import { listBatchItems } from '../../src/store/queries/batchItems.ts';
import {
  cancelBatch,
  findBatch,
  findBatchByIdempotencyKey,
  insertBatchWithItems,
  listBatches,
} from '../../src/store/queries/batches.ts';
import {
  claimPollRound,
  findBudget,
  listActiveBudgetKeys,
  lockBudget,
  readBudgetUsage,
  recordBudgetObservation,
  recordRateLimited,
  recordStatusReadObservation,
  upsertBudget,
} from '../../src/store/queries/budgets.ts';
import { claimQueuedItems } from '../../src/store/queries/dispatchClaims.ts';
import {
  deferToReconciliation,
  recordCreatedItems,
  recordFailedItems,
  requeueItems,
} from '../../src/store/queries/dispatchOutcomes.ts';
import { listItemsToPoll, recordConversationProgress } from '../../src/store/queries/polling.ts';
import {
  claimExpiredDispatches,
  expireLeasesOf,
  recordReconciliationFailure,
} from '../../src/store/queries/reconciliation.ts';
import { openTestPglite, openTestPostgres, TEST_DATABASE_URL, type TestDatabase } from './testDatabases.ts';

const T0 = new Date('2026-11-20T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function newItems(count: number, budgetKey: string): NewBatchItem[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    requestId: randomUUID(),
    provider: 'ORATION' as const,
    budgetKey,
    agentNativeId: 'agent-1',
    channel: 'PHONE_OUTBOUND' as const,
    toNumber: `+1555000${String(index).padStart(4, '0')}`,
    sipTrunkAddress: null,
    dynamicVariables: { customerName: `Customer ${index}`, vip: index % 2 === 0, score: index },
    prospect: index === 0 ? { name: 'Ada', email: null, externalId: 'crm-1' } : null,
  }));
}

async function createBatch(db: Database, options: { workspaceId: string; budgetKey: string; count: number; key?: string; createdAt?: Date }) {
  const id = randomUUID();
  const items = newItems(options.count, options.budgetKey);
  const inserted = await db.transaction((tx) =>
    insertBatchWithItems(tx, {
      id,
      workspaceId: options.workspaceId,
      idempotencyKey: options.key ?? null,
      requestHash: 'hash-1',
      createdAt: options.createdAt ?? T0,
      items,
    }),
  );
  return { id, items, inserted };
}

async function claim(db: Database, budgetKey: string, count: number, owner = 'replica-a', now = T0) {
  return db.transaction(async (tx) => {
    await lockBudget(tx, budgetKey);
    return claimQueuedItems(tx, budgetKey, { owner, count, now, leaseExpiresAt: at(60_000) });
  });
}

/** The store's contract, run against each database kind. Each test uses its own workspace and budget. */
function storeSuite(open: () => Promise<TestDatabase>) {
  let target: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    target = await open();
    db = target.db;
  });
  afterAll(async () => {
    await target?.dispose();
  });

  const fresh = () => {
    const suffix = randomUUID().slice(0, 8);
    return { workspaceId: `ws-${suffix}`, budgetKey: `ORATION:acct-${suffix}` };
  };

  it('applies migrations once; a second run applies nothing', async () => {
    const again = await migrate(db);
    expect(again.applied).toEqual([]);
    expect(again.current).toBe(6); // 0001 fan-out tables, 0002 budget keys by provider account, 0003 synced store, 0004 BI columns, 0005 conversation stats rollup, 0006 stats counting unreported talk and ring seconds
  });

  it('stores a batch with its items in one transaction and reads them back scoped by workspace', async () => {
    const { workspaceId, budgetKey } = fresh();
    const { id, items } = await createBatch(db, { workspaceId, budgetKey, count: 3 });
    const batch = await findBatch(db, workspaceId, id);
    expect(batch?.itemCount).toBe(3);
    expect(batch?.counts.QUEUED).toBe(3);
    expect(batch?.lastFinishedAt).toBeNull();

    const stored = await listBatchItems(db, workspaceId, id, { afterIndex: null, limit: 10 });
    expect(stored.map((item) => item.requestId)).toEqual(items.map((item) => item.requestId));
    expect(stored[0]?.dynamicVariables).toEqual({ customerName: 'Customer 0', vip: true, score: 0 });
    expect(stored[0]?.prospect).toEqual({ name: 'Ada', email: null, externalId: 'crm-1' });
    expect(stored[1]?.prospect).toBeNull();
    expect(stored.every((item) => item.state === 'QUEUED')).toBe(true);

    expect(await findBatch(db, 'another-workspace', id)).toBeNull();
    expect(await listBatchItems(db, 'another-workspace', id, { afterIndex: null, limit: 10 })).toEqual([]);
    expect(await findBatch(db, workspaceId, 'not-a-uuid')).toBeNull();
  });

  it('inserts nothing for an idempotency key the workspace already used', async () => {
    const { workspaceId, budgetKey } = fresh();
    const first = await createBatch(db, { workspaceId, budgetKey, count: 2, key: 'launch-1' });
    const second = await createBatch(db, { workspaceId, budgetKey, count: 5, key: 'launch-1' });
    const otherWorkspace = await createBatch(db, { workspaceId: `${workspaceId}-b`, budgetKey, count: 1, key: 'launch-1' });
    expect(first.inserted).toEqual({ id: first.id });
    expect(second.inserted).toBeNull();
    expect(otherWorkspace.inserted).not.toBeNull();
    expect((await findBatchByIdempotencyKey(db, workspaceId, 'launch-1'))?.id).toBe(first.id);
    expect(await listBatchItems(db, workspaceId, second.id, { afterIndex: null, limit: 10 })).toEqual([]);
  });

  it('lists batches newest first with keyset paging', async () => {
    const { workspaceId, budgetKey } = fresh();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createBatch(db, { workspaceId, budgetKey, count: 1, createdAt: at(i * 1000) })).id);
    const page1 = await listBatches(db, workspaceId, { after: null, limit: 2 });
    const last = page1.at(-1);
    const page2 = await listBatches(db, workspaceId, { after: last ? { createdAt: last.createdAt, id: last.id } : null, limit: 10 });
    expect([...page1, ...page2].map((batch) => batch.id)).toEqual([...ids].reverse());
  });

  it('claims the oldest queued items, marks them DISPATCHING under a lease and counts them as held', async () => {
    const { workspaceId, budgetKey } = fresh();
    const { items } = await createBatch(db, { workspaceId, budgetKey, count: 5 });
    const claimed = await claim(db, budgetKey, 3);
    expect(claimed.map((item) => item.index)).toEqual([0, 1, 2]);
    expect(claimed.every((item) => item.state === 'DISPATCHING' && item.leaseOwner === 'replica-a' && item.attempts === 1)).toBe(true);
    const usage = await db.transaction((tx) => readBudgetUsage(tx, budgetKey, null));
    expect(usage).toEqual({ queued: 2, dispatching: 3, created: 0, createdSinceObservation: 0, endedSinceObservation: 0 });
    expect(await listActiveBudgetKeys(db)).toContain(budgetKey);
    expect(claimed[0]?.requestId).toBe(items[0]?.requestId);
  });

  it('shares a full budget between batches: a batch queued behind another gets the next free slots', async () => {
    // An operator saw 5 calls wait three minutes behind 600 queued before them on one account.
    const { workspaceId, budgetKey } = fresh();
    const large = await createBatch(db, { workspaceId, budgetKey, count: 8, createdAt: at(0) });
    expect((await claim(db, budgetKey, 3)).map((item) => item.index)).toEqual([0, 1, 2]);
    const small = await createBatch(db, { workspaceId: `${workspaceId}-other`, budgetKey, count: 2, createdAt: at(1_000) });
    const next = [...(await claim(db, budgetKey, 1, 'replica-a', at(2_000))), ...(await claim(db, budgetKey, 1, 'replica-a', at(3_000)))];
    expect(next.map((item) => [item.batchId, item.index])).toEqual([
      [small.id, 0],
      [small.id, 1],
    ]);
    // With nothing held, batches take turns; within a batch, items go in their order.
    const { workspaceId: ws2, budgetKey: key2 } = fresh();
    const first = await createBatch(db, { workspaceId: ws2, budgetKey: key2, count: 3, createdAt: at(0) });
    const second = await createBatch(db, { workspaceId: ws2, budgetKey: key2, count: 3, createdAt: at(1_000) });
    expect((await claim(db, key2, 4)).map((item) => [item.batchId, item.index])).toEqual([
      [first.id, 0],
      [second.id, 0],
      [first.id, 1],
      [second.id, 1],
    ]);
    expect(large.items).toHaveLength(8);
  });

  it('breaks a tie between batches toward the one that has dialed fewer of its calls, so an odd slot rotates', async () => {
    // An operator trial: with a budget of 5 and two batches, ties went to the batch queued first,
    // so it held 3 slots to the other's 2 for its whole run.
    const { workspaceId, budgetKey } = fresh();
    const a = await createBatch(db, { workspaceId, budgetKey, count: 8, createdAt: at(0) });
    const b = await createBatch(db, { workspaceId, budgetKey, count: 8, createdAt: at(1_000) });
    const pairs = (items: { batchId: string; index: number }[]) => items.map((item) => [item.batchId === a.id ? 'a' : 'b', item.index]);
    expect(pairs(await claim(db, budgetKey, 3))).toEqual([['a', 0], ['b', 0], ['a', 1]]);
    // One of a's calls ends: a holds 1, b holds 1, and b has dialed fewer: b takes the slot.
    await db.query(`UPDATE batch_items SET state = 'ENDED' WHERE batch_id = $1 AND index = 0`, [a.id]);
    expect(pairs(await claim(db, budgetKey, 1))).toEqual([['b', 1]]);
    // Then one of b's ends: a (2 dialed) and b (2 dialed) tie again, and a, queued first, takes it.
    await db.query(`UPDATE batch_items SET state = 'ENDED' WHERE batch_id = $1 AND index = 0`, [b.id]);
    expect(pairs(await claim(db, budgetKey, 1))).toEqual([['a', 2]]);
  });

  it('records outcomes: created holds a slot, failed does not, requeue keeps the place in line', async () => {
    const { workspaceId, budgetKey } = fresh();
    const { id } = await createBatch(db, { workspaceId, budgetKey, count: 4 });
    const [a, b, c, d] = await claim(db, budgetKey, 4);
    if (!a || !b || !c || !d) throw new Error('expected four claimed items');
    await db.transaction(async (tx) => {
      const created = await recordCreatedItems(
        tx,
        [{ requestId: a.requestId, conversationNativeId: 'conv-a', status: 'QUEUED', statusRaw: 'queued', ended: false, conversationEndedAt: null }],
        at(100),
      );
      expect(created).toEqual([a.requestId]);
      expect(await recordFailedItems(tx, [{ requestId: b.requestId, code: 'PROVIDER_REFUSED', message: 'agent not found' }], at(100))).toBe(1);
      expect(await requeueItems(tx, [c.requestId], at(100))).toBe(1);
      expect(await deferToReconciliation(tx, [d.requestId], 'timeout', at(5_000), at(100))).toBe(1);
    });
    const byIndex = await listBatchItems(db, workspaceId, id, { afterIndex: null, limit: 10 });
    expect(byIndex.map((item) => item.state)).toEqual(['CREATED', 'FAILED', 'QUEUED', 'DISPATCHING']);
    expect(byIndex[0]?.conversationNativeId).toBe('conv-a');
    expect(byIndex[1]?.errorMessage).toBe('agent not found');
    expect(byIndex[3]?.leaseExpiresAt?.toISOString()).toBe(at(5_000).toISOString());
    const usage = await db.transaction((tx) => readBudgetUsage(tx, budgetKey, null));
    expect(usage.dispatching + usage.created).toBe(2);
    // The requeued item is first in line again.
    expect((await claim(db, budgetKey, 1)).map((item) => item.requestId)).toEqual([c.requestId]);
  });

  it('ends polled conversations, releasing their slots, and refreshes the others', async () => {
    const { workspaceId, budgetKey } = fresh();
    await createBatch(db, { workspaceId, budgetKey, count: 2 });
    const [a, b] = await claim(db, budgetKey, 2);
    if (!a || !b) throw new Error('expected two claimed items');
    await db.transaction((tx) =>
      recordCreatedItems(
        tx,
        [a, b].map((item, i) => ({ requestId: item.requestId, conversationNativeId: `conv-${i}`, status: 'QUEUED', statusRaw: 'queued', ended: false, conversationEndedAt: null })),
        at(0),
      ),
    );
    expect((await listItemsToPoll(db, budgetKey, 10)).length).toBe(2);
    const ended = await db.transaction((tx) =>
      recordConversationProgress(
        tx,
        [
          { requestId: a.requestId, status: 'ENDED', statusRaw: 'ended', ended: true, conversationEndedAt: at(900), note: null },
          { requestId: b.requestId, status: 'IN_PROGRESS', statusRaw: 'active', ended: false, conversationEndedAt: null, note: null },
        ],
        at(1_000),
      ),
    );
    expect(ended).toBe(1);
    const toPoll = await listItemsToPoll(db, budgetKey, 10);
    expect(toPoll.map((item) => [item.requestId, item.conversationStatus])).toEqual([[b.requestId, 'IN_PROGRESS']]);
    // A repeated (late) answer changes nothing.
    const again = await db.transaction((tx) =>
      recordConversationProgress(tx, [{ requestId: a.requestId, status: 'ENDED', statusRaw: 'ended', ended: true, conversationEndedAt: at(900), note: null }], at(2_000)),
    );
    expect(again).toBe(0);
    // Relative to a provider observation at 500ms: a ended after it.
    const usage = await db.transaction((tx) => readBudgetUsage(tx, budgetKey, at(500)));
    expect(usage).toMatchObject({ created: 1, createdSinceObservation: 0, endedSinceObservation: 1 });
  });

  it('cancels queued items only; in-flight ones finish', async () => {
    const { workspaceId, budgetKey } = fresh();
    const { id } = await createBatch(db, { workspaceId, budgetKey, count: 4 });
    const [first] = await claim(db, budgetKey, 1);
    if (!first) throw new Error('expected a claimed item');
    expect(await db.transaction((tx) => cancelBatch(tx, 'other-workspace', id, at(10)))).toBeNull();
    expect(await db.transaction((tx) => cancelBatch(tx, workspaceId, id, at(10)))).toBe(3);
    // A 429 answer for the in-flight item after the cancel: it is cancelled, not requeued.
    await db.transaction((tx) => requeueItems(tx, [first.requestId], at(20)));
    const batch = await findBatch(db, workspaceId, id);
    expect(batch?.counts).toMatchObject({ QUEUED: 0, DISPATCHING: 0, CANCELLED: 4 });
    expect(batch?.cancelRequestedAt?.toISOString()).toBe(at(10).toISOString());
    expect(batch?.lastFinishedAt?.toISOString()).toBe(at(20).toISOString());
  });

  it('keeps the newest provider observation, blocks after a 429 and clears the probe on success', async () => {
    const { budgetKey } = fresh();
    await upsertBudget(db, budgetKey, 20, T0);
    await recordBudgetObservation(db, budgetKey, { limit: 10, remaining: 4 }, at(2_000));
    await recordBudgetObservation(db, budgetKey, { limit: null, remaining: 9 }, at(1_000)); // older: ignored
    expect(await findBudget(db, budgetKey)).toMatchObject({ configuredLimit: 20, providerLimit: 10, providerRemaining: 4 });
    await recordRateLimited(db, budgetKey, at(5_000), at(3_000));
    expect(await findBudget(db, budgetKey)).toMatchObject({ probePending: true, blockedUntil: at(5_000) });
    await recordBudgetObservation(db, budgetKey, { limit: null, remaining: 2 }, at(6_000));
    expect(await findBudget(db, budgetKey)).toMatchObject({ probePending: false, providerRemaining: 2, observedAt: at(6_000) });
    await upsertBudget(db, budgetKey, 5, at(7_000));
    expect((await findBudget(db, budgetKey))?.configuredLimit).toBe(5);
  });

  it('dates a status read when it arrived, less the creations recorded since it was sent; a probe stays', async () => {
    const { workspaceId, budgetKey } = fresh();
    await upsertBudget(db, budgetKey, 20, T0);
    await createBatch(db, { workspaceId, budgetKey, count: 3 });
    const [a, b, c] = await claim(db, budgetKey, 3);
    if (!a || !b || !c) throw new Error('expected three items');
    const created = (requestId: string) =>
      ({ requestId, conversationNativeId: `conv-${requestId}`, status: 'DIALING', statusRaw: 'dialing', ended: false, conversationEndedAt: null });
    await db.transaction((tx) => recordCreatedItems(tx, [created(a.requestId), created(b.requestId)], at(1_000)));
    await recordRateLimited(db, budgetKey, at(1_800), at(1_500));
    // The read is sent at 2 s and answered at 3 s; c was recorded created in between, so the
    // provider's count may not include it.
    await db.transaction((tx) => recordCreatedItems(tx, [created(c.requestId)], at(2_500)));
    await db.transaction((tx) => recordStatusReadObservation(tx, budgetKey, { limit: 8, remaining: 5 }, at(2_000), at(3_000)));
    expect(await findBudget(db, budgetKey)).toMatchObject({ providerLimit: 8, providerRemaining: 4, observedAt: at(3_000), probePending: true });
    // An answer older than the newest word changes nothing.
    await db.transaction((tx) => recordStatusReadObservation(tx, budgetKey, { limit: null, remaining: 9 }, at(1_000), at(2_900)));
    expect((await findBudget(db, budgetKey))?.providerRemaining).toBe(4);
  });

  it('gives each polling round to exactly one caller', async () => {
    const { budgetKey } = fresh();
    await upsertBudget(db, budgetKey, 20, T0);
    const rounds = await Promise.all(['a', 'b', 'c'].map((owner) => claimPollRound(db, budgetKey, owner, at(0), at(1_000))));
    expect(rounds.filter(Boolean)).toHaveLength(1);
    expect(await claimPollRound(db, budgetKey, 'a', at(500), at(1_500))).toBe(false);
    expect(await claimPollRound(db, budgetKey, 'b', at(1_000), at(2_000))).toBe(true);
  });

  it('hands expired dispatches to reconciliation and turns repeated failures UNRESOLVED', async () => {
    const { workspaceId, budgetKey } = fresh();
    const { id } = await createBatch(db, { workspaceId, budgetKey, count: 3 });
    await claim(db, budgetKey, 3, 'crashed-replica');
    // Leases run to T0 + 60s; nothing is due before.
    const early = await db.transaction((tx) =>
      claimExpiredDispatches(tx, budgetKey, { owner: 'replica-b', now: at(1_000), leaseExpiresAt: at(31_000), limit: 10, landedBy: at(0) }),
    );
    expect(early).toEqual([]);
    // The crashed replica restarts under the same id: its leases are due now.
    expect(await expireLeasesOf(db, 'crashed-replica', at(2_000))).toBe(3);
    const due = await db.transaction((tx) =>
      claimExpiredDispatches(tx, budgetKey, { owner: 'replica-b', now: at(2_000), leaseExpiresAt: at(32_000), limit: 10, landedBy: at(0) }),
    );
    expect(due.map((item) => item.leaseOwner)).toEqual(['replica-b', 'replica-b', 'replica-b']);
    const [x, y, z] = due.sort((p, q) => p.index - q.index);
    if (!x || !y || !z) throw new Error('expected three items');

    await db.transaction(async (tx) => {
      await recordCreatedItems(
        tx,
        [{ requestId: x.requestId, conversationNativeId: 'conv-x', status: 'ENDED', statusRaw: 'ended', ended: true, conversationEndedAt: at(1_500) }],
        at(2_100),
        'FOUND',
      );
      await requeueItems(tx, [y.requestId], at(2_100), 'NOT_FOUND');
      const options = { reason: 'provider unavailable', maxAttempts: 2, retryAt: at(3_000), now: at(2_100) };
      expect(await recordReconciliationFailure(tx, [z.requestId], options)).toBe(0);
      expect(await recordReconciliationFailure(tx, [z.requestId], options)).toBe(1);
    });
    const items = await listBatchItems(db, workspaceId, id, { afterIndex: null, limit: 10 });
    expect(items.map((item) => [item.state, item.reconciledOutcome])).toEqual([
      ['ENDED', 'FOUND'],
      ['QUEUED', 'NOT_FOUND'],
      ['UNRESOLVED', 'UNRESOLVED'],
    ]);
    expect(items[2]).toMatchObject({ errorCode: 'RECONCILIATION_FAILED', errorMessage: 'provider unavailable', reconcileAttempts: 2 });
  });

  it('on restart, makes its own leases due no earlier than the grace after each dispatch', async () => {
    const { workspaceId, budgetKey } = fresh();
    await createBatch(db, { workspaceId, budgetKey, count: 2 });
    await claim(db, budgetKey, 2, 'restarted-replica');
    // Restarted 1 s after the dispatch with a 3 s grace: due at T0 + 3 s, not at once.
    expect(await expireLeasesOf(db, 'restarted-replica', at(1_000), { graceMs: 3_000 })).toBe(2);
    const reclaim = (now: Date) =>
      db.transaction((tx) =>
        claimExpiredDispatches(tx, budgetKey, { owner: 'restarted-replica', now, leaseExpiresAt: at(90_000), limit: 10, landedBy: at(0) }),
      );
    expect(await reclaim(at(2_999))).toEqual([]);
    expect(await reclaim(at(3_000))).toHaveLength(2);
    // Leases only shrink: a later restart with a long grace leaves them as they are.
    expect(await expireLeasesOf(db, 'restarted-replica', at(4_000), { graceMs: 200_000 })).toBe(0);
  });

  it('never hands out an item whose create may still land, whatever its lease says', async () => {
    const { budgetKey } = fresh();
    await createBatch(db, { workspaceId: fresh().workspaceId, budgetKey, count: 2 });
    await claim(db, budgetKey, 2, 'impatient-replica');
    // A restart with no grace at all makes the leases due at once...
    expect(await expireLeasesOf(db, 'impatient-replica', at(1_000), { graceMs: 0 })).toBe(2);
    const reclaim = (landedBy: Date) =>
      db.transaction((tx) => claimExpiredDispatches(tx, budgetKey, { owner: 'reconciler', now: at(1_000), leaseExpiresAt: at(90_000), limit: 10, landedBy }));
    // ...but items dispatched at T0 are not looked up while creates dispatched after -1 ms may still land.
    expect(await reclaim(at(-1))).toEqual([]);
    expect(await reclaim(at(0))).toHaveLength(2);
  });
}

describe('store on PGlite (memory)', () => {
  storeSuite(openTestPglite);
});

describe.skipIf(!TEST_DATABASE_URL)('store on PostgreSQL (TEST_DATABASE_URL)', () => {
  storeSuite(openTestPostgres);

  it('serializes concurrent migrations and concurrent claims across connection pools', async () => {
    const target = await openTestPostgres();
    try {
      const replicas = await Promise.all([target.openAnother(), target.openAnother(), target.openAnother()]);
      const reports = await Promise.all(replicas.map((replica) => migrate(replica)));
      expect(reports.flatMap((report) => report.applied)).toEqual([]);

      const budgetKey = 'ORATION:shared';
      await createBatch(target.db, { workspaceId: 'ws-1', budgetKey, count: 12 });
      const claims = await Promise.all(replicas.map((replica, i) => claim(replica, budgetKey, 5, `replica-${i}`)));
      const claimedIds = claims.flat().map((item) => item.requestId);
      expect(claimedIds).toHaveLength(12);
      expect(new Set(claimedIds).size).toBe(12);
    } finally {
      await target.dispose();
    }
  });
});
