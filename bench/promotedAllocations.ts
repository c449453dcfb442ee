import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

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
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
    writeFileSync(file, JSON.stringify(profile));
    printTopSites(profile.head);
    return result;
  } finally {
    session.disconnect();
  }
}

function printTopSites(head: ProfileNode): void {
  const bytesBySite = new Map<string, number>();
  const walk = (node: ProfileNode, callers: string[]) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const frame = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*?\/(src|bench|test)\//, '$1/')}:${lineNumber + 1}`;
    const stack = [frame, ...callers].slice(0, 4);
    if (node.selfSize > 0) bytesBySite.set(stack.join(' <- '), (bytesBySite.get(stack.join(' <- ')) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child, stack);
  };
  walk(head, []);
  const MiB = 1024 * 1024;
  const total = [...bytesBySite.values()].reduce((sum, bytes) => sum + bytes, 0);
  console.log(`allocations that outlived a young-generation collection: ${(total / MiB).toFixed(1)} MiB (sampled)`);
  for (const [site, bytes] of [...bytesBySite].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
    console.log(`  ${(bytes / MiB).toFixed(1).padStart(6)} MiB  ${site}`);
  }
}
