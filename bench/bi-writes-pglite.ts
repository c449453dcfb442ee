/**
 * What the conversation rollup's triggers cost writers on PGlite, the default engine
 * (`npm run bench:bi-writes`; BENCH_WRITE_BULK, BENCH_WRITE_SINGLE). An in-memory store in this
 * process by default, so the figures are the SQL's, not a disk's or a pipe's; BENCH_DATA_DIR=<new
 * directory> measures a data directory's store as the gateway runs it (in its own process).
 */
import { migrate } from '../src/store/migrate.ts';
import { openDatabase } from '../src/store/openDatabase.ts';
import { measureRollupWriteCost } from './biWriteCost.ts';

const db = await openDatabase({ dataDir: process.env.BENCH_DATA_DIR ?? 'memory://' });
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
