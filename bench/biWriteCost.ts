import type { Database } from '../src/store/database.ts';
import { upsertSyncedRecords } from '../src/store/queries/syncedRecords.ts';
import { generateConversations } from './biData.ts';

const ROLLUP_TRIGGERS = ['conversation_stats_rollup_insert', 'conversation_stats_rollup_update', 'conversation_stats_rollup_delete'];

/**
 * Writes with the rollup's triggers disabled (the store before migration 0005) and enabled, into a
 * scratch workspace removed after each round: a bulk INSERT … SELECT of `bulk` conversations and
 * its DELETE, then conversations written one upsert at a time (the change writer's path) in
 * transactions of 50 (`single` of them), first as new records, then as a second version (a cost
 * that changed). Prints each round and the medians.
 */
export async function measureRollupWriteCost(db: Database, options: { end: Date; bulk?: number; single?: number }): Promise<void> {
  const { end, bulk = 100_000, single = 2_000 } = options;
  const setTriggers = (on: boolean) =>
    db.exec(ROLLUP_TRIGGERS.map((name) => `ALTER TABLE synced_records ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${name};`).join('\n'));
  const byMode: Record<'off' | 'on', Record<string, number[]>> = { off: {}, on: {} };
  // Alternating, three rounds each: the machine is shared, so one round of each says little.
  for (const mode of ['off', 'on', 'off', 'on', 'off', 'on'] as const) {
    const on = mode === 'on';
    await setTriggers(on);
    const figures: Record<string, number> = {};
    let t0 = performance.now();
    await generateConversations(db, { workspaceId: 'scratch', count: bulk, days: 90, end, prefix: 'bulk' });
    figures.bulkInsert = performance.now() - t0;
    t0 = performance.now();
    await db.query(`DELETE FROM synced_records WHERE workspace_id = 'scratch'`);
    figures.bulkDelete = performance.now() - t0;
    for (const version of [1, 2]) {
      t0 = performance.now();
      for (let page = 0; page < single / 50; page += 1) {
        await db.transaction(async (tx) => {
          for (let i = 0; i < 50; i += 1) {
            const n = page * 50 + i;
            const record = { kind: 'Conversation', provider: 'VOICEOS', nativeId: `one-${n}`, talkSeconds: n % 300,
              createdAt: { $instant: new Date(end.getTime() - (n % 8640) * 900_000).toISOString() },
              cost: { currency: 'USD', total: { $decimal: `0.0${version}${n % 100}` }, components: [] } };
            const encoded = JSON.stringify(record);
            await upsertSyncedRecords(tx, [{ workspaceId: 'scratch', provider: 'VOICEOS', kind: 'Conversation', nativeId: `one-${n}`, encoded,
              contentHash: `${version}-${n}`, status: 'ENDED', createdAt: record.createdAt.$instant, providerUpdatedAt: null, messageCount: null, costKnown: true }], end);
          }
        });
      }
      figures[version === 1 ? 'upsertNew' : 'upsertChanged'] = (performance.now() - t0) / single;
    }
    await db.query(`DELETE FROM synced_records WHERE workspace_id = 'scratch'`);
    for (const [name, value] of Object.entries(figures)) (byMode[mode][name] ??= []).push(value);
    console.log(`writes with the rollup triggers ${on ? 'on ' : 'off'}: INSERT … SELECT of ${bulk} conversations ${figures.bulkInsert?.toFixed(0)} ms, their DELETE ${figures.bulkDelete?.toFixed(0)} ms; one upsert (transactions of 50): new ${figures.upsertNew?.toFixed(3)} ms, changed ${figures.upsertChanged?.toFixed(3)} ms`);
  }
  const median = (values: number[] | undefined) => [...(values ?? [])].sort((a, b) => a - b)[Math.floor((values?.length ?? 0) / 2)] ?? Number.NaN;
  for (const mode of ['off', 'on'] as const) {
    const m = byMode[mode];
    console.log(`writes, median of 3, triggers ${mode.padEnd(3)}: bulk insert ${median(m.bulkInsert).toFixed(0)} ms, bulk delete ${median(m.bulkDelete).toFixed(0)} ms, one upsert new ${median(m.upsertNew).toFixed(3)} ms, changed ${median(m.upsertChanged).toFixed(3)} ms`);
  }
  await setTriggers(true);
}
