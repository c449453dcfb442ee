/**
 * Prints the largest allocation sites of a V8 sampling heap profile (`.heapprofile`), each with
 * its callers: `node bench/preloads/topAllocations.ts <file> [sites=25] [frames=3]`.
 */
import { readFileSync } from 'node:fs';
import { printAllocationSites, type HeapProfileNode } from '../heapProfileSites.ts';

const [file, sites = '25', frames = '3'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/preloads/topAllocations.ts <file.heapprofile> [sites] [frames]\n');
  process.exit(2);
}
const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapProfileNode };
printAllocationSites(file, head, Number(sites), Number(frames));
