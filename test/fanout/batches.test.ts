import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/domain/globalId.ts';
import { BatchValidationError } from '../../src/fanout/batchValidationError.ts';
import { IdempotencyConflictError } from '../../src/fanout/idempotencyConflictError.ts';
import { openTestPglite, type TestDatabase } from '../store/testDatabases.ts';
import {
  AGENT_ID,
  allItems,
  eventually,
  OTHER_WORKSPACE,
  phoneCalls,
  startHarness,
  tally,
  WORKSPACE,
  type Harness,
} from './fanoutHarness.ts';

const AGENTS_LOOKUP = 'GET /api/v2/agents';
const CREATE = 'POST /api/v2/conversations';

describe('fan-out batches: validation, idempotency, cancel, isolation (PGlite)', () => {
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

  const storedItemCount = async () =>
    (await target.db.query<{ n: number }>('SELECT count(*)::int AS n FROM batch_items')).rows[0]?.n ?? -1;

  it('refuses a bad batch whole, naming every bad item and field, and stores nothing', async () => {
    harness = await startHarness({ limit: 5 });
    const service = await harness.startService(target.db);
    const before = await storedItemCount();
    const conversations = [
      ...phoneCalls(2),
      { agentId: AGENT_ID, channel: 'PHONE_OUTBOUND', toNumber: '0791234567' }, // 2: not E.164
      { agentId: 'not-an-id', channel: 'CHAT' }, // 3
      { agentId: toGlobalId({ provider: 'ORATION', type: 'Agent', nativeId: '00000000-0000-4000-8000-000000000000' }), channel: 'CHAT' }, // 4: unknown
      { agentId: toGlobalId({ provider: 'TRATA', type: 'Agent', nativeId: 'aia.1719914136.zl2fxvXB' }), channel: 'CHAT' }, // 5
      { agentId: AGENT_ID, channel: 'PHONE_OUTBOUND', dynamicVariables: { nested: { no: true } } }, // 6: two problems
      { agentId: AGENT_ID, channel: 'FAX' }, // 7
    ];
    const error = await service.createBatch(WORKSPACE, { conversations }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BatchValidationError);
    // Found trying the API from outside: a client that shows only the message learnt no field from it.
    expect((error as BatchValidationError).message).toBe(
      'The batch was refused, nothing stored: conversations[2].toNumber must be an E.164 number such as +14155550123; and 6 more ' +
        '(7 problems in 6 conversations; extensions.problems lists each)',
    );
    const problems = (error as BatchValidationError).problems;
    expect(problems.map(({ index, field, code }) => ({ index, field, code }))).toEqual([
      { index: 2, field: 'conversations[2].toNumber', code: 'INVALID' },
      { index: 3, field: 'conversations[3].agentId', code: 'INVALID' },
      { index: 4, field: 'conversations[4].agentId', code: 'NOT_FOUND' },
      { index: 5, field: 'conversations[5].agentId', code: 'UNSUPPORTED_BY_PROVIDER' },
      { index: 6, field: 'conversations[6].toNumber', code: 'INVALID' },
      { index: 6, field: 'conversations[6].dynamicVariables.nested', code: 'INVALID' },
      { index: 7, field: 'conversations[7].channel', code: 'INVALID' },
    ]);
    // Agent existence was checked with one lookup for the whole batch, and nothing was sent.
    expect(harness.simulator.server.count(AGENTS_LOOKUP)).toBe(1);
    expect(harness.simulator.server.count(CREATE)).toBe(0);
    expect(await storedItemCount()).toBe(before);
    expect((await service.listBatches(WORKSPACE)).nodes.filter((batch) => batch.createdAt > new Date(Date.now() - 60_000))).toEqual([]);
  });

  it('returns the same batch for a repeated request and refuses the key for other content', async () => {
    harness = await startHarness({ limit: 5 });
    const service = await harness.startService(target.db);
    const request = { idempotencyKey: 'campaign-42', conversations: phoneCalls(3) };
    const [first, concurrent] = await Promise.all([service.createBatch(WORKSPACE, request), service.createBatch(WORKSPACE, request)]);
    const retried = await service.createBatch(WORKSPACE, { ...request, conversations: phoneCalls(3).map((c) => ({ ...c })) });
    expect(concurrent.id).toBe(first.id);
    expect(retried.id).toBe(first.id);
    expect((await allItems(service, WORKSPACE, first.id)).length).toBe(3);

    const conflict = await service
      .createBatch(WORKSPACE, { idempotencyKey: 'campaign-42', conversations: phoneCalls(4) })
      .catch((caught: unknown) => caught);
    expect(conflict).toBeInstanceOf(IdempotencyConflictError);
    expect((conflict as IdempotencyConflictError).existingBatchId).toBe(first.id);

    // Keys are per workspace.
    const elsewhere = await service.createBatch(OTHER_WORKSPACE, request);
    expect(elsewhere.id).not.toBe(first.id);

    await service.waitForBatch(WORKSPACE, first.id, 20);
    await service.waitForBatch(OTHER_WORKSPACE, elsewhere.id, 20);
    expect(harness.stats().created).toBe(6);
  });

  it('cancels what was not sent; what was sent runs to its end', async () => {
    harness = await startHarness({
      limit: 2,
      lifecycle: { queueMs: { kind: 'fixed', ms: 50 }, dialMs: { kind: 'fixed', ms: 50 }, talkMs: { kind: 'fixed', ms: 600 }, unansweredRate: 0, failRate: 0 },
    });
    const service = await harness.startService(target.db);
    const batch = await service.createBatch(WORKSPACE, { conversations: phoneCalls(10) });
    await eventually(async () => ((await service.getBatch(WORKSPACE, batch.id))?.counts.CREATED === 2 ? true : undefined), '2 created');

    expect(await service.cancelBatch(OTHER_WORKSPACE, batch.id)).toBeNull();
    const cancelled = await service.cancelBatch(WORKSPACE, batch.id);
    expect(cancelled?.counts).toMatchObject({ CANCELLED: 8, CREATED: 2 });
    expect(cancelled?.status).toBe('RUNNING');

    const done = await service.waitForBatch(WORKSPACE, batch.id, 20);
    expect(done?.status).toBe('CANCELLED');
    expect(done?.counts).toMatchObject({ ENDED: 2, CANCELLED: 8 });
    expect(harness.stats().created).toBe(2);
  });

  it('scopes every read by workspace and pages batches and items', async () => {
    harness = await startHarness({ limit: 5 });
    const service = await harness.startService(target.db);
    const mine = await service.createBatch(WORKSPACE, { conversations: phoneCalls(7) });
    expect(await service.getBatch(OTHER_WORKSPACE, mine.id)).toBeNull();
    expect(await service.listItems(OTHER_WORKSPACE, mine.id)).toBeNull();
    expect(await service.waitForBatch(OTHER_WORKSPACE, mine.id, 0)).toBeNull();
    expect(await service.getBatch(WORKSPACE, 'garbage')).toBeNull();
    expect((await service.listBatches(OTHER_WORKSPACE)).nodes.map((batch) => batch.id)).not.toContain(mine.id);

    const page1 = await service.listItems(WORKSPACE, mine.id, { first: 4 });
    const page2 = await service.listItems(WORKSPACE, mine.id, { first: 4, after: page1?.nodes.at(-1)?.index ?? null });
    expect(page1?.nodes.map((item) => item.index)).toEqual([0, 1, 2, 3]);
    expect(page1?.hasNextPage).toBe(true);
    expect(page2?.nodes.map((item) => item.index)).toEqual([4, 5, 6]);
    expect(page2?.hasNextPage).toBe(false);

    const newest = await service.listBatches(WORKSPACE, { first: 1 });
    expect(newest.nodes.map((batch) => batch.id)).toEqual([mine.id]);
    expect(newest.hasNextPage).toBe(true);

    const done = await service.waitForBatch(WORKSPACE, mine.id, 20);
    expect(tally((await allItems(service, WORKSPACE, mine.id)).map((item) => item.state))).toEqual({ ENDED: 7 });
    expect(done?.status).toBe('COMPLETED');
  });
});
