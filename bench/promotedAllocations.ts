import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { printAllocationSites, type HeapProfileNode } from './heapProfileSites.ts';

/**
 * Runs `work` under V8's sampling heap profiler, keeping only allocations that outlived a
 * young-generation collection: what V8 promoted to the old generation (or still holds). Writes the
 * profile to `file` (open it in Chrome DevTools' Memory tab) and prints the largest allocation
 * sites with their three callers. This is how the export's promoted rows were found (BENCHMARKS.md, "BI").
 */
export async function recordPromotedAllocations<T>(file: string, work: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 16 * 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: false,
    });
    const result = await work();
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: HeapProfileNode } };
    writeFileSync(file, JSON.stringify(profile));
    printAllocationSites('allocations that outlived a young-generation collection', profile.head, 8, 4);
    return result;
  } finally {
    session.disconnect();
  }
}
