/**
 * What the conversation rollup's triggers cost writers on PGlite, the default engine, where they
 * run on the gateway's own thread (`npm run bench:bi-writes`; BENCH_WRITE_BULK, BENCH_WRITE_SINGLE).
 * An in-memory store, so the figures are the SQL's, not a disk's.
 */
import { migrate } from '../src/store/migrate.ts';
import { openDatabase } from '../src/store/openDatabase.ts';
import { measureRollupWriteCost } from './biWriteCost.ts';

const db = await openDatabase({ dataDir: 'memory://' });
try {
  await migrate(db);
  await measureRollupWriteCost(db, {
    end: new Date('2026-04-01T00:00:00Z'),
    bulk: Number(process.env.BENCH_WRITE_BULK ?? 20_000),
    single: Number(process.env.BENCH_WRITE_SINGLE ?? 2_000),
  });
} finally {
  await db.close();
}
