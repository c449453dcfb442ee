/**
 * BI benchmark (`npm run bench:bi`), on PostgreSQL (BENCH_DATABASE_URL, else TEST_DATABASE_URL,
 * else postgres://postgres@127.0.0.1:5432/test), in a schema of its own that is dropped at the end.
 *
 * 1. Export: BENCH_EXPORT_ROWS (100,000) conversations generated into the store with SQL, then
 *    `GET /exports/conversations.csv` from the real gateway (in this process, the demo simulators
 *    beside it; `npm run bench:bi` gives this process the V8 flags of `npm start`), read as a stream: rows/s overall and per second, the process's RSS before and its
 *    peak during the export. BENCH_HEAP_PROFILE=<dir> also records what each export allocated that
 *    outlived a young-generation collection (bench/promotedAllocations.ts).
 * 2. Totals: BENCH_STATS_ROWS (1,000,000) conversations over 90 days in another workspace, then
 *    `conversationStats` grouped by provider and day for those 90 days (median of 5 after a warm-up),
 *    also with component sums, from the rollup (migration 0005) and by the scan it replaces, with
 *    each one's query plan.
 * 3. Writes: what the rollup's triggers cost (bulk insert and delete, one upsert at a time), with
 *    the triggers disabled and enabled, alternating, three rounds each.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { conversationStats } from '../src/analytics/conversationStats.ts';
import type { Queryable } from '../src/store/database.ts';
import pg from 'pg';
import { startLiveGateway } from '../test/sync/liveGateway.ts';
import { generateConversations } from './biData.ts';
import { measureRollupWriteCost } from './biWriteCost.ts';
import { recordPromotedAllocations } from './promotedAllocations.ts';

const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const exportRows = Number(process.env.BENCH_EXPORT_ROWS ?? 100_000);
/** When set, each export runs under V8's sampling heap profiler (`bench/promotedAllocations.ts`), its profile written here. */
const heapProfileDir = process.env.BENCH_HEAP_PROFILE;
const statsRows = Number(process.env.BENCH_STATS_ROWS ?? 1_000_000);
const schema = `sb_bench_bi_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
const end = new Date('2026-04-01T00:00:00Z');
const MiB = 1024 * 1024;

const gateway = await startLiveGateway({ store: { databaseUrl, schema } });
const db = gateway.runtime.live.database;
try {
  // --- 1. Export ---
  let started = performance.now();
  await generateConversations(db, { workspaceId: 'demo', count: exportRows, days: 90, end, prefix: 'export' });
  console.log(`generated ${exportRows} conversations for the export in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  // Twice: the first export also pays for code compiled, pools opened and heap pages first touched;
  // the second shows what one more export costs once the process is warm.
  for (const round of ['first (cold)', 'second (warm)']) {
    if (heapProfileDir) await recordPromotedAllocations(join(heapProfileDir, `export-${round.split(' ')[0]}.heapprofile`), () => measureExport(round));
    else await measureExport(round);
  }

  // --- 2. conversationStats over 1,000,000 conversations ---
  if (statsRows > 0) {
  started = performance.now();
  const chunk = 250_000;
  for (let offset = 0; offset < statsRows; offset += chunk) {
    await generateConversations(db, { workspaceId: 'bench', count: Math.min(chunk, statsRows - offset), days: 90, end, prefix: `stats${offset}` });
  }
  console.log(`generated ${statsRows} conversations over 90 days in ${((performance.now() - started) / 1000).toFixed(1)} s (rollup triggers on)`);
  await db.exec('VACUUM ANALYZE synced_records');
  await db.exec('VACUUM ANALYZE conversation_stats_rollup');
  await db.exec('VACUUM ANALYZE conversation_stats_rollup_components');
  const { rows: [rollupSize] } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM conversation_stats_rollup WHERE workspace_id = 'bench'`);
  console.log(`rollup rows for the workspace: ${rollupSize?.n}`);

  const captured: { sql: string; params: readonly unknown[] }[] = [];
  const capturing: Queryable = {
    query: (sql, params) => {
      captured.push({ sql, params: params ?? [] });
      return db.query(sql, params);
    },
    exec: (sql) => db.exec(sql),
  };
  const request = {
    workspaceId: 'bench',
    filter: { createdAfter: new Date(end.getTime() - 90 * 86_400_000) },
    groupBy: ['PROVIDER', 'DAY'] as const,
  };
  const { rows: [componentRollupSize] } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM conversation_stats_rollup_components WHERE workspace_id = 'bench'`);
  console.log(`component rollup rows for the workspace: ${componentRollupSize?.n}`);
  // The issue's query, and the same with `costs { components { kind amount } }` selected (as in docs/bi.md).
  const variants = [
    { timeZone: 'UTC', withComponents: false },
    { timeZone: 'America/New_York', withComponents: false },
    { timeZone: 'America/New_York', withComponents: true },
  ];
  for (const useRollup of [true, false]) {
    for (const { timeZone, withComponents } of variants) {
      captured.length = 0;
      const timings: number[] = [];
      let groups = 0;
      let conversations = 0;
      for (let run = 0; run < 6; run += 1) {
        const t0 = performance.now();
        const result = await conversationStats(capturing, { ...request, groupBy: [...request.groupBy], timeZone, withComponents, useRollup });
        if (run > 0) timings.push(performance.now() - t0);
        groups = result.length;
        conversations = result.reduce((sum, group) => sum + group.conversations, 0);
      }
      timings.sort((a, b) => a - b);
      console.log(`conversationStats(groupBy: [PROVIDER, DAY], timeZone: ${timeZone}${withComponents ? ', with components' : ''}) ${useRollup ? 'from the rollup' : 'scan (useRollup: false)'}: ${groups} groups, ${conversations} conversations; median ${timings[2]?.toFixed(0)} ms (min ${timings[0]?.toFixed(0)}, max ${timings.at(-1)?.toFixed(0)})`);
      if (!withComponents && timeZone !== 'UTC') {
        const last = captured.at(-1);
        if (last) {
          const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${last.sql}`, last.params);
          console.log(`plan (${useRollup ? 'rollup' : 'scan'}, ${timeZone}):\n` + plan.rows.map((row) => `  ${row['QUERY PLAN']}`).join('\n'));
        }
      }
    }
  }

  // --- 3. What the rollup's triggers cost writers: the same writes with them off and on ---
  await measureRollupWriteCost(db, { end });
  }
} finally {
  await gateway.close();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}

async function storedDemoConversations(database: Queryable): Promise<number> {
  const { rows } = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM synced_records WHERE workspace_id = 'demo' AND kind = 'Conversation'`);
  return rows[0]?.n ?? -1;
}

async function measureExport(round: string): Promise<void> {
  globalThis.gc?.();
  const before = process.memoryUsage();
  const rssBefore = before.rss;
  let rssPeak = rssBefore;
  let atPeak = process.memoryUsage();
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    if (usage.rss > rssPeak) [rssPeak, atPeak] = [usage.rss, usage];
  }, 25);
  const started = performance.now();
  // The client (curl, counted by a small Python reader) runs in processes of its own, so the RSS
  // measured here is the gateway's (and the demo simulators' beside it), not the client's buffers.
  const counter = `import sys, time
start = time.monotonic(); second = start; lines = 0; in_second = 0; rates = []
while True:
    chunk = sys.stdin.buffer.read(65536)
    if not chunk: break
    n = chunk.count(b"\\n"); lines += n; in_second += n
    now = time.monotonic()
    if now - second >= 1: rates.append(round(in_second / (now - second))); second = now; in_second = 0
print(lines, " ".join(map(str, rates)))`;
  const client = spawn('sh', ['-c', `curl -sS -N -H 'Authorization: Bearer demo-key' '${gateway.origin}/exports/conversations.csv' | python3 -c '${counter}'`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  for await (const chunk of client.stdout as AsyncIterable<Buffer>) output += chunk.toString('utf8');
  const [linesText = '0', ...rateTexts] = output.trim().split(/\s+/);
  const lines = Number(linesText);
  const perSecond = rateTexts.map(Number);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const heapAfter = process.memoryUsage().heapUsed;
  globalThis.gc?.();
  const heapAfterGc = process.memoryUsage().heapUsed;
  const rows = lines - 1; // the header
  const exported = rows === (await storedDemoConversations(db));
  const sorted = [...perSecond].sort((a, b) => a - b);
  console.log(`export ${round}: ${rows} rows in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds)} rows/s; per second min ${sorted[0] ?? '-'} median ${sorted[Math.floor(sorted.length / 2)] ?? '-'} max ${sorted.at(-1) ?? '-'} (${perSecond.length} full seconds)`);
  console.log(`export ${round}: RSS before ${(rssBefore / MiB).toFixed(1)} MiB, peak ${(rssPeak / MiB).toFixed(1)} MiB, growth ${((rssPeak - rssBefore) / MiB).toFixed(1)} MiB (heap used after: ${(heapAfter / MiB).toFixed(1)} MiB${globalThis.gc ? `, after a full GC: ${(heapAfterGc / MiB).toFixed(1)} MiB` : ''}); all stored rows exported: ${exported}`);
  console.log(`export ${round}: heap total before ${(before.heapTotal / MiB).toFixed(1)} MiB; at the peak heap total ${(atPeak.heapTotal / MiB).toFixed(1)} MiB, heap used ${(atPeak.heapUsed / MiB).toFixed(1)} MiB, external ${(atPeak.external / MiB).toFixed(1)} MiB, array buffers ${(atPeak.arrayBuffers / MiB).toFixed(1)} MiB`);
}
