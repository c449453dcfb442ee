/**
 * Preload for a benchmark's gateway variant: counts V8's collections by kind, the time they took,
 * and what each young collection (scavenge) left in the young generation: what survived it and was
 * copied, since a scavenge costs what survives, not what it frees; and what it moved to the old
 * generation (objects that had survived the scavenge before, or whole pages of survivors). Writes the totals with the
 * process's CPU time to `BENCH_GC_OUT` (default `/tmp/switchboard-gc-<pid>.json`) every two
 * seconds. Used as
 * `BENCH_GATEWAY_VARIANT="--max-semi-space-size=64 --import ./bench/preloads/gcTime.ts" npm run bench`
 * (BENCHMARKS.md, read path).
 */
import { writeFileSync } from 'node:fs';
import { GCProfiler } from 'node:v8';

/** V8's names (`gcType` in GCProfiler's statistics) as the tables here call them. */
const KINDS: Record<string, string> = {
  Scavenge: 'young',
  MinorMarkSweep: 'young',
  MarkSweepCompact: 'full',
  IncrementalMarking: 'incremental marking',
  ProcessWeakCallbacks: 'weak callbacks',
};
const totals: Record<string, { count: number; ms: number }> = {};
const survivedYoung = { collections: 0, bytes: 0, promotedBytes: 0 };
/** The young generation's largest size seen (V8 grows it up to the semi-space flag as survival demands). */
let largestYoungBytes = 0;
const out = process.env.BENCH_GC_OUT ?? `/tmp/switchboard-gc-${process.pid}.json`;

type HeapStatistics = NonNullable<ReturnType<GCProfiler['stop']>>['statistics'][number]['afterGC'];
const spaceOf = (stats: HeapStatistics, name: string) => stats.heapSpaceStatistics.find((space) => space.spaceName === name);

let profiler = new GCProfiler();
profiler.start();
setInterval(() => {
  // GCProfiler keeps every collection until stopped: one profiler per two seconds.
  const { statistics } = profiler.stop() ?? { statistics: [] };
  profiler = new GCProfiler();
  profiler.start();
  for (const gc of statistics) {
    const kind = KINDS[gc.gcType] ?? 'other';
    const total = (totals[kind] ??= { count: 0, ms: 0 });
    total.count += 1;
    total.ms += gc.cost / 1000;
    if (kind === 'young') {
      survivedYoung.collections += 1;
      const newSpace = spaceOf(gc.afterGC, 'new_space');
      survivedYoung.bytes += newSpace?.spaceUsedSize ?? 0;
      survivedYoung.promotedBytes += (spaceOf(gc.afterGC, 'old_space')?.spaceUsedSize ?? 0) - (spaceOf(gc.beforeGC, 'old_space')?.spaceUsedSize ?? 0);
      largestYoungBytes = Math.max(largestYoungBytes, newSpace?.spaceSize ?? 0);
    }
  }
  const meanSurvivedMiB = survivedYoung.collections === 0 ? null : Number((survivedYoung.bytes / survivedYoung.collections / 2 ** 20).toFixed(1));
  const meanPromotedMiB = survivedYoung.collections === 0 ? null : Number((survivedYoung.promotedBytes / survivedYoung.collections / 2 ** 20).toFixed(1));
  const largestYoungMiB = Number((largestYoungBytes / 2 ** 20).toFixed(1));
  const totalsNow = { collections: totals, youngSurvivorsMiB: meanSurvivedMiB, youngPromotedMiB: meanPromotedMiB, largestYoungMiB, flags: process.execArgv.join(' '), cwd: process.cwd(), script: process.argv[1] ?? null, cpuMicros: process.cpuUsage() };
  writeFileSync(out, JSON.stringify(totalsNow));
}, 2000).unref();
