/**
 * Preload for a benchmark's gateway variant: counts V8's collections by kind and the time they
 * took, and writes the totals with the process's CPU time to `BENCH_GC_OUT` (default
 * `/tmp/switchboard-gc-<pid>.json`) every two seconds. Used as
 * `BENCH_GATEWAY_VARIANT="--max-semi-space-size=64 --import ./bench/preloads/gcTime.ts" npm run bench`
 * (BENCHMARKS.md, read path: "Only the returned conversations stay for the request").
 */
import { writeFileSync } from 'node:fs';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'young',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'full',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};
const totals: Record<string, { count: number; ms: number }> = {};
const out = process.env.BENCH_GC_OUT ?? `/tmp/switchboard-gc-${process.pid}.json`;

new PerformanceObserver((list) => {
  for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    const kind = KINDS[entry.detail?.kind ?? -1] ?? 'other';
    const total = (totals[kind] ??= { count: 0, ms: 0 });
    total.count += 1;
    total.ms += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

setInterval(() => writeFileSync(out, JSON.stringify({ collections: totals, cpuMicros: process.cpuUsage() })), 2000).unref();
