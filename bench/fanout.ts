/**
 * Fan-out benchmark: 1,000 conversations through the real gateway (its own process, PGlite in a
 * temporary directory, one `createConversations` mutation) under an Oration budget of 20, with
 * call lengths from the demo lifecycle scaled down so that the run takes about a minute.
 *
 * Prints the makespan (first create to last end, as the simulator saw them) against the lower
 * bound max(sum(d)/L, max(d)) over the slot-hold times d, the mean budget use, the release gap,
 * peak concurrency, 429s, duplicates and lost items.
 *
 * A small batch (`BENCH_LATE_ITEMS`, 5) is posted `BENCH_LATE_AFTER_MS` (5,000) after the large one,
 * on the same account: how long until all of it is dialed shows whether batches share the budget
 * (a few freed slots) or wait in line (the whole large batch).
 *
 * Runs twice by default (`BENCH_MODES`): with status polling alone, and with the simulator sending
 * `conversation:ended` webhooks to the gateway (which free a slot at once; polling stays on as
 * the fallback), so the two release gaps can be compared.
 *
 *   npm run bench:fanout
 *   BENCH_ITEMS=1000 BENCH_LIMIT=20 BENCH_SCALE=0.2 BENCH_POLL_MS=25 BENCH_SEED=42 BENCH_MODES=polling,webhooks \
 *   BENCH_LATE_ITEMS=5 BENCH_LATE_AFTER_MS=5000 npm run bench:fanout
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ORATION_LIFECYCLE, type OrationLifecycle } from '../src/simulators/oration/liveConversation.ts';
import { createOrationSimulator } from '../src/simulators/oration/orationSimulator.ts';
import type { DurationDistribution } from '../src/simulators/oration/sampleDurationMs.ts';
import { postBatch, readBatch, waitForFinalBatch } from '../test/fanout/batchGraphql.ts';
import { DEMO_ACCOUNT, phoneCalls } from '../test/fanout/fanoutHarness.ts';
import { freePort, spawnGateway, writeWorkspacesFile } from '../test/fanout/gatewayProcess.ts';

const items = Number(process.env.BENCH_ITEMS ?? 1000);
const limit = Number(process.env.BENCH_LIMIT ?? 20);
/** Real calls last minutes; the demo lifecycle lasts seconds; this scales the demo's again. */
const scale = Number(process.env.BENCH_SCALE ?? 0.2);
/**
 * The status poll, scaled with the calls: production polls every second against calls of minutes
 * (about 130 times the 1.2 s these last), so 25 ms here is a coarser poll than production's.
 */
const pollMs = Number(process.env.BENCH_POLL_MS ?? 25);
const seed = Number(process.env.BENCH_SEED ?? 42);
const lateItems = Number(process.env.BENCH_LATE_ITEMS ?? 5);
const lateAfterMs = Number(process.env.BENCH_LATE_AFTER_MS ?? 5000);
const modes = (process.env.BENCH_MODES ?? 'polling,webhooks').split(',').map((mode) => {
  if (mode !== 'polling' && mode !== 'webhooks') throw new Error(`BENCH_MODES: unknown mode ${mode} (polling, webhooks)`);
  return mode;
});
const API_KEY = 'bench-fanout-key-0123456789';

const lifecycle: OrationLifecycle = {
  ...DEFAULT_ORATION_LIFECYCLE,
  queueMs: scaled(DEFAULT_ORATION_LIFECYCLE.queueMs),
  dialMs: scaled(DEFAULT_ORATION_LIFECYCLE.dialMs),
  talkMs: scaled(DEFAULT_ORATION_LIFECYCLE.talkMs),
};

for (const mode of modes) await runOnce(mode);

async function runOnce(mode: 'polling' | 'webhooks'): Promise<void> {
const simulator = createOrationSimulator({ concurrencyLimit: limit, lifecycle, seed, historicConversations: 10 });
const apiUrl = `${await simulator.listen(0)}/api/v2`;
const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
const gateway = await spawnGateway({
  apiKey: API_KEY,
  env: {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: String(await freePort()),
    SWITCHBOARD_DATA_DIR: join(dir, 'pglite'),
    SWITCHBOARD_WORKSPACES_FILE: writeWorkspacesFile(join(dir, 'workspaces.json'), [
      {
        id: 'bench',
        apiKeys: [API_KEY],
        providers: {
          oration: { baseUrl: apiUrl, apiKey: DEMO_ACCOUNT.apiKey, workspaceId: DEMO_ACCOUNT.workspaceId, concurrencyLimit: limit },
        },
      },
    ]),
    SWITCHBOARD_REPLICA_ID: 'bench',
    SWITCHBOARD_FANOUT_POLL_MS: String(pollMs),
    // The bench measures dispatch; a sync pass would add reads the two modes do not share equally.
    SWITCHBOARD_SYNC: 'false',
  },
});

try {
  if (mode === 'webhooks') {
    const { body: endpoints } = await gateway.query<{ webhookEndpoints: { provider: string; path: string }[] }>('{ webhookEndpoints { provider path } }');
    const path = endpoints.data?.webhookEndpoints.find((endpoint) => endpoint.provider === 'ORATION')?.path;
    if (!path) throw new Error(`no Oration webhook endpoint: ${JSON.stringify(endpoints.errors)}`);
    simulator.setWebhookTarget(DEMO_ACCOUNT.workspaceId, { url: new URL(path, gateway.url).toString() });
  }
  const benchStart = new Date();
  const postedAt = performance.now();
  const batch = await postBatch(gateway.query, { conversations: phoneCalls(items, 'bench') });
  const acceptedMs = performance.now() - postedAt;
  const late = lateItems > 0 ? lateBatch(gateway.query) : null;
  const done = await waitForFinalBatch(gateway.query, batch.id, 30 * 60_000, 250);
  const wallMs = performance.now() - postedAt;

  const stats = simulator.budgetStats()[DEMO_ACCOUNT.workspaceId];
  if (!stats || stats.firstCreateAt === null || stats.lastEndAt === null) throw new Error('the simulator saw no conversation');
  const durations = stats.durationsMs;
  const sum = durations.reduce((total, d) => total + d, 0);
  const bound = Math.max(sum / limit, Math.max(...durations));
  const makespan = Date.parse(stats.lastEndAt) - Date.parse(stats.firstCreateAt);
  const gaps = releaseGaps(await createdAndEnded(apiUrl, benchStart), limit);
  const lost = items - done.counts.ended - done.counts.failed - done.counts.cancelled;
  const lateDone = late && (await late);

  const ms = (value: number) => `${(value / 1000).toFixed(2)} s`;
  const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
  console.log(`fan-out (${mode === 'webhooks' ? 'conversation:ended webhooks, polling as fallback' : 'status polling alone'}): ${items} conversations, budget ${limit}, demo call lengths x${scale}, status poll every ${pollMs} ms (PGlite)`);
  console.log(`  machine           ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
  console.log(`  slot-hold time    mean ${(sum / durations.length).toFixed(0)} ms, max ${Math.max(...durations)} ms, sum ${ms(sum)}`);
  console.log(`  makespan          ${ms(makespan)}  (first create -> last end)`);
  console.log(`  lower bound       ${ms(bound)}  = max(sum(d)/L, max(d))`);
  console.log(`  makespan / bound  ${(makespan / bound).toFixed(3)}  (${pct(makespan / bound - 1)} over)`);
  console.log(`  bound with gap    ${ms((sum + durations.length * gaps.mean) / limit)}  = sum(d + g)/L, g the mean release gap below`);
  console.log(`  mean budget use   ${pct(stats.busySlotMs / (limit * makespan))}  (busy slot time / (L x makespan))`);
  console.log(`  release gap       mean ${gaps.mean.toFixed(0)} ms, p50 ${gaps.p50.toFixed(0)} ms, p95 ${gaps.p95.toFixed(0)} ms  (a slot freeing -> the create that takes it)`);
  console.log(`  peak concurrency  ${stats.peak} of ${limit}`);
  console.log(`  429s              ${stats.rejected429}`);
  console.log(`  duplicates        ${stats.duplicateRequestIds.length}`);
  console.log(`  lost              ${lost}  (created at the provider: ${stats.created}; batch ${done.status}, ${JSON.stringify(done.counts)})`);
  if (lateDone) {
    console.log(`  late batch        ${lateItems} posted ${ms(lateAfterMs)} after: all dialed ${ms(lateDone.dialedMs)} after it was posted (the large batch then had ${lateDone.largeQueued} still queued); final after ${ms(lateDone.finalMs)}`);
  }
  console.log(`  mutation          answered in ${acceptedMs.toFixed(0)} ms; batch final after ${ms(wallMs)}`);
  if (mode === 'webhooks') console.log(`  webhooks          ${JSON.stringify(simulator.webhookStats())}`);
} finally {
  await gateway.stop();
  await simulator.close();
  rmSync(dir, { recursive: true, force: true });
}
}

/**
 * Posts the small batch after `lateAfterMs` and follows it: resolves with how long until none of
 * it was queued (all dialed), how much of the large batch was still queued then, and when it ended.
 */
async function lateBatch(query: Parameters<typeof postBatch>[0]) {
  await new Promise((resolve) => setTimeout(resolve, lateAfterMs));
  const postedAt = performance.now();
  const small = await postBatch(query, { conversations: phoneCalls(lateItems, 'late') });
  {
    let dialedMs: number | null = null;
    let largeQueued = 0;
    for (;;) {
      const now = await readBatch(query, small.id);
      if (dialedMs === null && now.counts.queued === 0) {
        dialedMs = performance.now() - postedAt;
        const { body } = await query<{ batches: { nodes: { counts: { queued: number } }[] } }>('{ batches(first: 2) { nodes { counts { queued } } } }');
        largeQueued = body.data?.batches.nodes.reduce((total, each) => total + each.counts.queued, 0) ?? -1;
      }
      if (now.status !== 'QUEUED' && now.status !== 'RUNNING') return { dialedMs: dialedMs ?? 0, largeQueued, finalMs: performance.now() - postedAt };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function scaled(distribution: DurationDistribution): DurationDistribution {
  switch (distribution.kind) {
    case 'fixed':
      return { kind: 'fixed', ms: distribution.ms * scale };
    case 'uniform':
      return { kind: 'uniform', minMs: distribution.minMs * scale, maxMs: distribution.maxMs * scale };
    case 'lognormal':
      return { kind: 'lognormal', medianMs: distribution.medianMs * scale, sigma: distribution.sigma, maxMs: distribution.maxMs * scale };
  }
}

/** Create and end instants of the conversations created since `since`, read from the simulator's list. */
async function createdAndEnded(apiUrl: string, since: Date): Promise<{ createdMs: number; endedMs: number }[]> {
  const found: { createdMs: number; endedMs: number }[] = [];
  for (let page = 1; ; page++) {
    const url = `${apiUrl}/conversations?createdAfter=${since.toISOString()}&limit=100&page=${page}`;
    const response = await fetch(url, { headers: { 'x-api-key': DEMO_ACCOUNT.apiKey, 'x-workspace-id': DEMO_ACCOUNT.workspaceId } });
    const body = (await response.json()) as { results: { createdAt: string; callEndTime: string | null }[] };
    for (const record of body.results) {
      if (record.callEndTime !== null) found.push({ createdMs: Date.parse(record.createdAt), endedMs: Date.parse(record.callEndTime) });
    }
    if (body.results.length < 100) return found;
  }
}

/**
 * With the queue never empty, the k-th slot to free is taken by the (L + k)-th create: the gap
 * between the two is how long that slot stood idle. Over every create after the first L.
 */
function releaseGaps(conversations: readonly { createdMs: number; endedMs: number }[], budget: number) {
  const creates = conversations.map((c) => c.createdMs).sort((a, b) => a - b);
  const ends = conversations.map((c) => c.endedMs).sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let k = 0; budget + k < creates.length; k++) gaps.push((creates[budget + k] ?? 0) - (ends[k] ?? 0));
  gaps.sort((a, b) => a - b);
  const at = (p: number) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))] ?? 0;
  return { mean: gaps.reduce((total, gap) => total + gap, 0) / Math.max(1, gaps.length), p50: at(0.5), p95: at(0.95) };
}
