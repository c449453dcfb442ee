import { PGlite } from '@electric-sql/pglite';
import type { Logger } from '../logger.ts';
import { inspectDataDir, prepareDataDir, type DataDirState } from './dataDirContents.ts';
import type { DataDirLockLostError } from './dataDirErrors.ts';
import { acquireDataDirLockAfterOrphans, type DataDirLock, type LeaseTiming } from './dataDirLock.ts';
import { DEFAULT_STORE_IDLE_MS, type Database } from './database.ts';
import { migrate } from './migrate.ts';
import { PgliteProcess } from './pgliteProcessClient.ts';
import { runQuery } from './pgliteQuery.ts';
import { PGLITE_START_PARAMS } from './pgliteSizing.ts';
import { listActiveBudgetKeys } from './queries/budgets.ts';

export interface PgliteOptions {
  /** The data directory lease's timing (tests shorten it). */
  lease?: Partial<LeaseTiming>;
  /**
   * Called when the lease is lost while the store is open (its process is ended first, with no
   * checkpoint). Every later query is refused either way.
   * @default prints the error and exits the process with code 1
   */
  onLockLost?: (error: DataDirLockLostError) => void;
  /** A data directory's store process stays this long after its last statement. @default DEFAULT_STORE_IDLE_MS */
  idleMs?: number;
  /**
   * Where the store's own notices go (its process ended unexpectedly, the lease was lost): the
   * gateway's JSON log. @default plain lines on stderr (tools without a logger)
   */
  logger?: Pick<Logger, 'warn' | 'error'>;
}

/**
 * Opens PGlite in memory (`memory://` or no directory) in this process, or in a data directory in
 * a process of its own (`pgliteProcessClient.ts`): the directory is checked (`dataDirContents.ts`),
 * then leased for this process (`dataDirLock.ts`), then checked again under the lease before
 * PGlite, which would re-initialise a directory it does not recognise, sees it. Then the store is
 * created if new, migrated, and asked whether any batch item is unfinished; when none is, its
 * process stops at once and starts again on the next statement. PGlite runs one connection: its
 * queries and transactions are serialized by PGlite itself, which is exactly the single-process
 * guarantee the lease extends to the disk.
 */
export async function openPgliteDatabase(dataDir: string | undefined, options: PgliteOptions = {}): Promise<Database> {
  const inMemory = dataDir === undefined || dataDir === '' || dataDir.startsWith('memory://');
  if (inMemory) {
    const pglite = await PGlite.create({ startParams: [...PGLITE_START_PARAMS] });
    return inProcessDatabase(pglite);
  }

  const dir = prepareDataDir(dataDir);
  let store: PgliteProcess | null = null;
  const notices = storeNotices(options.logger);
  const onLost = options.onLockLost ?? ((error: DataDirLockLostError) => stopProcess(error, notices));
  const lock = await acquireDataDirLockAfterOrphans(dir, {
    ...(options.lease && { lease: options.lease }),
    onLost: (error) => {
      store?.kill(); // before anything else: the files are someone else's now
      onLost(error);
    },
  });
  try {
    const opened = inspectDataDir(dir);
    store = new PgliteProcess({ dir, lease: lock, idleMs: options.idleMs ?? DEFAULT_STORE_IDLE_MS, onUnexpectedExit: notices.unexpectedExit });
    const database = processDatabase(store, lock, opened);
    await migrate(database.startUp);
    const pendingWork = (await listActiveBudgetKeys(database.startUp)).length > 0;
    // Nothing for the fan-out to resume: the start-up's memory goes now, not after the idle time.
    if (!pendingWork) await store.stop();
    return { ...database.forCallers, pendingWorkAtStart: pendingWork };
  } catch (error) {
    store?.kill();
    lock.release();
    throw error;
  }
}

/** A `Database` over a PGlite in this process, which the caller opened (no lease). */
export function inProcessDatabase(pglite: PGlite): Database {
  return {
    kind: 'pglite',
    query: (sql, params) => runQuery(pglite, sql, params),
    exec: async (sql) => void (await pglite.exec(sql)),
    transaction: (work) => pglite.transaction((tx) => work({ query: (sql, params) => runQuery(tx, sql, params), exec: async (sql) => void (await tx.exec(sql)) })),
    close: () => pglite.close(),
  };
}

/**
 * A holder that lost its lease must not write another byte: someone else may be running the store
 * on these files. Exiting, not closing PGlite (a close checkpoints, which writes), is the stop.
 */
function stopProcess(error: DataDirLockLostError, notices: StoreNotices): void {
  notices.lockLost(error);
  process.exit(1);
}

interface StoreNotices {
  lockLost(error: DataDirLockLostError): void;
  unexpectedExit(how: string): void;
}

/** The store's notices as log lines, or as plain stderr lines where there is no logger. */
function storeNotices(logger: PgliteOptions['logger']): StoreNotices {
  const exitMessage = (how: string) => `the embedded store's process ${how}; its statements in flight failed, and the next one starts it again`;
  if (!logger) {
    return {
      lockLost: (error) => process.stderr.write(`${error.message}\n`),
      unexpectedExit: (how) => process.stderr.write(`${exitMessage(how)}\n`),
    };
  }
  return {
    lockLost: (error) => logger.error(error.message),
    unexpectedExit: (how) => logger.warn(exitMessage(how)),
  };
}

/**
 * The store in a data directory, through its process. `startUp` is for the start-up's own
 * statements (migrations, the look for unfinished work); `forCallers` is what the gateway uses,
 * and counts whether it has been used since start (only then can the store hold this process's leases).
 */
function processDatabase(store: PgliteProcess, lock: DataDirLock, opened: DataDirState): { startUp: Database; forCallers: Database } {
  let closed = false;
  let used = false;
  // Before each statement: a holder resuming from a stall finds out it lost the lease before it
  // writes; and a closed store is not started again.
  const usable = () => {
    if (closed) throw new Error('the embedded store is closed');
    lock.assertHeld();
  };
  const startUp: Database = {
    kind: 'pglite',
    query: async (sql, params) => (usable(), store.query(sql, params)),
    exec: async (sql) => (usable(), store.exec(sql)),
    transaction: async (work) => (usable(), store.transaction(work)),
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        lock.assertHeld();
      } catch {
        store.kill(); // Lost: the files are someone else's now, so no checkpoint on close.
        return;
      }
      try {
        await store.stop();
      } finally {
        lock.release();
      }
    },
  };
  const forCallers: Database = {
    ...startUp,
    opened,
    migrated: true,
    isRunning: () => store.isRunning(),
    usedSinceStart: () => used,
    query: (sql, params) => ((used = true), startUp.query(sql, params)),
    exec: (sql) => ((used = true), startUp.exec(sql)),
    transaction: (work) => ((used = true), startUp.transaction(work)),
  };
  return { startUp, forCallers };
}
