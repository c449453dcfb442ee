import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.ts';
import { openPostgresDatabase } from '../../src/store/postgresDatabase.ts';
import { openTestPglite, TEST_DATABASE_URL } from './testDatabases.ts';

// The test drives V8's collections itself: a young-generation collection after every batch.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void;

/** Bytes in V8's old generation (old space and large objects): where promoted objects go. */
const oldGeneration = () =>
  getHeapSpaceStatistics()
    .filter((space) => space.space_name === 'old_space' || space.space_name === 'large_object_space')
    .reduce((sum, space) => sum + space.space_used_size, 0);

const ROWS = 40_000;
const BATCH = 500;

/**
 * An export reads 100,000 rows a batch at a time; each batch must be garbage once it is written.
 * Through pg's promise API every batch outlived young-generation collections (something V8 had
 * already promoted kept each result reachable) and was promoted: 66 MiB of an export's 100,000
 * rows sat in the old generation until a full collection (BENCHMARKS.md, "BI"). PGlite, the
 * embedded engine, is held to the same bound (about 0.6 MB here, its own bookkeeping).
 */
const engines: { name: string; enabled: boolean; open: () => Promise<{ db: Database; dispose: () => Promise<void> }> }[] = [
  { name: 'PGlite', enabled: true, open: openTestPglite },
  {
    name: 'PostgreSQL (TEST_DATABASE_URL)',
    enabled: TEST_DATABASE_URL !== '',
    open: async () => {
      const db = await openPostgresDatabase({ databaseUrl: TEST_DATABASE_URL });
      return { db, dispose: () => db.close() };
    },
  },
];

describe.each(engines.filter((engine) => engine.enabled))('rows read through the store on $name', ({ open }) => {
  it('die young: batches fetched and dropped are not promoted to the old generation', async () => {
    const { db, dispose } = await open();
    try {
      const { fetched, promoted } = await db.transaction(async (tx) => {
        await tx.query(
          `DECLARE rows_die_young NO SCROLL CURSOR FOR
           SELECT g, md5(g::text) AS a, md5((g + 1)::text) AS b FROM generate_series(1, ${ROWS}) g`,
        );
        const fetchBatch = async () => (await tx.query(`FETCH FORWARD ${BATCH} FROM rows_die_young`)).rows.length;
        await fetchBatch(); // code compiled and buffers sized before the baseline
        gc();
        const before = oldGeneration();
        let count = BATCH;
        for (let size = await fetchBatch(); size > 0; size = await fetchBatch()) {
          count += size;
          // Two collections: an object alive at both is promoted by the second.
          gc({ type: 'minor' });
          gc({ type: 'minor' });
        }
        return { fetched: count, promoted: oldGeneration() - before };
      });
      expect(fetched).toBe(ROWS);
      // 79 batches of about 80 KB each were promoted through pg's promise API (6.4 MB); what is
      // left is the driver's and the transaction's own few objects.
      expect(promoted).toBeLessThan(1024 * 1024);
    } finally {
      await dispose();
    }
  });
});
