/**
 * Preload for a benchmark's gateway variant: runs V8's sampling heap profiler for the process's
 * life and writes the profile to `BENCH_HEAP_OUT` (default `/tmp/switchboard-heap-<pid>.heapprofile`)
 * every five seconds; open it in Chrome DevTools' Memory tab, or print its largest allocation
 * sites with `node bench/preloads/topAllocations.ts <file>`. `BENCH_HEAP_KEEP=all` keeps every
 * allocation (what a query allocates); the default keeps only what outlived a young-generation
 * collection (what V8 promoted, or still holds).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 16 * 1024,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: process.env.BENCH_HEAP_KEEP === 'all',
});
const out = process.env.BENCH_HEAP_OUT ?? `/tmp/switchboard-heap-${process.pid}.heapprofile`;
setInterval(async () => {
  const { profile } = await session.post('HeapProfiler.getSamplingProfile');
  writeFileSync(out, JSON.stringify(profile));
}, 5000).unref();
