import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationStats } from '../../src/analytics/conversationStats.ts';
import type { Database } from '../../src/store/database.ts';
import { openTestPostgres, TEST_DATABASE_URL, type TestDatabase } from '../store/testDatabases.ts';
import { rollupAgainstRecords, seededRandom, writeConversation, type GeneratedConversation } from './rollupFixtures.ts';

const S1 = '2026-03-10T10:00:00.000Z';
const S2 = '2026-03-10T10:15:00.000Z';
const conversation = (nativeId: string, createdAt: string, total = '0.5'): GeneratedConversation =>
  ({ provider: 'VOICEOS', nativeId, createdAt, talkSeconds: 1, ringSeconds: null, cost: { currency: 'USD', total } });

/** Resolves once `parties` callers have arrived. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    arrived += 1;
    if (arrived === parties) open();
    return opened;
  };
}

// Replicas are separate pools on one PostgreSQL; PGlite has one connection, so no concurrency.
describe.skipIf(!TEST_DATABASE_URL)('the conversation rollup under concurrent writers (PostgreSQL)', () => {
  let store: TestDatabase;
  let replicas: Database[];
  beforeAll(async () => {
    store = await openTestPostgres();
    replicas = [store.db, await store.openAnother(), await store.openAnother()];
  });
  afterAll(async () => {
    await store.dispose();
  });

  it('two transactions writing the same two slots in opposite orders both commit (no deadlock) and both count', async () => {
    const [a, b] = replicas as [Database, Database];
    // The slots' rollup rows exist, so both writers update the same two rows.
    await writeConversation(a, 'ws', conversation('seed-1', S1));
    await writeConversation(a, 'ws', conversation('seed-2', S2));
    const bothWroteOnce = barrier(2);
    await Promise.all([
      a.transaction(async (tx) => {
        await writeConversation(tx, 'ws', conversation('a-1', S1));
        await bothWroteOnce();
        await writeConversation(tx, 'ws', conversation('a-2', S2));
      }),
      b.transaction(async (tx) => {
        await writeConversation(tx, 'ws', conversation('b-1', S2));
        await bothWroteOnce();
        await writeConversation(tx, 'ws', conversation('b-2', S1));
      }),
    ]);
    const { rows } = await a.query<{ slot: Date; conversations: number; cost: string }>(
      `SELECT slot, conversations::int, cost_total::text AS cost FROM conversation_stats_rollup WHERE workspace_id = 'ws' ORDER BY slot`);
    expect(rows.map((row) => [row.slot.toISOString(), row.conversations, row.cost])).toEqual([
      [S1, 3, '1.5'],
      [S2, 3, '1.5'],
    ]);
  });

  it('many writers on three replicas, inserting and updating in random orders, lose no update', async () => {
    const random = seededRandom(7);
    const slots = [S1, S2, '2026-03-10T10:30:00.000Z', '2026-03-10T10:45:00.000Z'];
    const at = () => (slots[Math.floor(random() * slots.length)] as string).replace('00.000Z', `${String(Math.floor(random() * 60)).padStart(2, '0')}.123456Z`);
    const writers = Array.from({ length: 8 }, (_, writer) => {
      // Each writer's own conversations (a record is written by one transaction at a time), in
      // slots every writer shares; a second version moves some to another slot with a new cost.
      const first = Array.from({ length: 25 }, (_, i) => conversation(`w${writer}-${i}`, at(), `0.0${i % 10}`));
      const second = first.filter(() => random() < 0.5).map((each) => ({ ...each, createdAt: at(), cost: random() < 0.3 ? null : { currency: 'EUR', total: '2.25' } }));
      return { db: replicas[writer % replicas.length] as Database, first, second };
    });
    await Promise.all(writers.map(async ({ db, first, second }) => {
      await db.transaction(async (tx) => {
        for (const each of first) await writeConversation(tx, 'busy-ws', each);
      });
      await db.transaction(async (tx) => {
        for (const each of second) await writeConversation(tx, 'busy-ws', each);
      });
    }));
    const { rollup, recomputed } = await rollupAgainstRecords(store.db);
    expect(rollup).toEqual(recomputed);
    const request = { workspaceId: 'busy-ws', filter: {}, groupBy: ['PROVIDER', 'HOUR'] as const, timeZone: 'UTC', withComponents: false };
    const [group] = await conversationStats(store.db, { ...request, groupBy: [...request.groupBy] });
    expect(group?.conversations).toBe(8 * 25);
    expect(JSON.stringify(await conversationStats(store.db, { ...request, groupBy: [...request.groupBy] })))
      .toBe(JSON.stringify(await conversationStats(store.db, { ...request, groupBy: [...request.groupBy], useRollup: false })));
  });
});
