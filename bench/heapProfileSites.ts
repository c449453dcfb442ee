/** A node of a V8 sampling heap profile (`HeapProfiler.getSamplingProfile`, `.heapprofile` files). */
export interface HeapProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapProfileNode[];
}

/**
 * The largest allocation sites of a sampling heap profile, as `[site, bytes]`, a site being the
 * allocating function and its callers (`frames` in all), with package and repository paths shortened.
 */
export function largestAllocationSites(head: HeapProfileNode, count: number, frames: number): [site: string, bytes: number][] {
  const bytesBySite = new Map<string, number>();
  const walk = (node: HeapProfileNode, callers: string[]) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const frame = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*?\/(src|build|bench|test)\//, '$1/')}:${lineNumber + 1}`;
    const stack = [frame, ...callers].slice(0, frames);
    const site = stack.join(' <- ');
    if (node.selfSize > 0) bytesBySite.set(site, (bytesBySite.get(site) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child, stack);
  };
  walk(head, []);
  return [...bytesBySite].sort((a, b) => b[1] - a[1]).slice(0, count);
}

/** Prints the total and the largest sites, in MiB. */
export function printAllocationSites(title: string, head: HeapProfileNode, count: number, frames: number): void {
  const MiB = 1024 * 1024;
  const total = largestAllocationSites(head, Number.MAX_SAFE_INTEGER, frames).reduce((sum, [, bytes]) => sum + bytes, 0);
  console.log(`${title}: ${(total / MiB).toFixed(1)} MiB (sampled)`);
  for (const [site, bytes] of largestAllocationSites(head, count, frames)) console.log(`  ${(bytes / MiB).toFixed(1).padStart(6)} MiB  ${site}`);
}
