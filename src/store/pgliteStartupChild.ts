/**
 * Run by `checkStoreInChild` as a process of its own, on a data directory the parent holds the
 * lease of: creates the store when the directory is empty, applies the migrations, and prints
 * one line of JSON saying whether any batch item is unfinished (`{"pendingWork":true}`), then
 * closes the store (a checkpoint) and exits. See `checkStoreInChild.ts` for why.
 */
import { PGlite } from '@electric-sql/pglite';
import { heartbeatAsHelper, waitUntilNamedInLease } from './dataDirLock.ts';
import { migrate } from './migrate.ts';
import { databaseOverPglite } from './pgliteDatabase.ts';
import { PGLITE_START_PARAMS } from './pgliteSizing.ts';
import { listActiveBudgetKeys } from './queries/budgets.ts';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: pgliteStartupChild.ts <data dir>\n');
  process.exit(2);
}
// Nothing is touched before the parent's lease names this process (see `addHelper`).
if (!(await waitUntilNamedInLease(dir, process.pid, process.ppid))) {
  process.stderr.write(`the process that started this one (pid ${process.ppid}) did not name it in the lease of ${dir}; the store was not touched\n`);
  process.exit(3);
}
heartbeatAsHelper(dir, process.pid);
const db = databaseOverPglite(await PGlite.create(dir, { startParams: [...PGLITE_START_PARAMS] }));
try {
  await migrate(db);
  const pendingWork = (await listActiveBudgetKeys(db)).length > 0;
  process.stdout.write(`${JSON.stringify({ pendingWork })}\n`);
} finally {
  await db.close();
}
