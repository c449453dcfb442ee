import { PGlite, type Transaction } from '@electric-sql/pglite';
import { inspectDataDir, prepareDataDir, type DataDirState } from './dataDirContents.ts';
import type { DataDirLockLostError } from './dataDirErrors.ts';
import { acquireDataDirLock, type DataDirLock, type LeaseTiming } from './dataDirLock.ts';
import type { Database, QueryResult } from './database.ts';
import { checkStoreInChild } from './checkStoreInChild.ts';
import { PGLITE_START_PARAMS } from './pgliteSizing.ts';

export interface PgliteOptions {
  /** The data directory lease's timing (tests shorten it). */
  lease?: Partial<LeaseTiming>;
  /**
   * Called when the lease is lost while the store is open. Every later query is refused either
   * way. @default prints the error and exits the process with code 1
   */
  onLockLost?: (error: DataDirLockLostError) => void;
}

/**
 * Opens PGlite in memory (`memory://` or no directory) or in a data directory: the directory is
 * checked (`dataDirContents.ts`), then leased for this process (`dataDirLock.ts`), then checked
 * again under the lease before PGlite, which would re-initialise a directory it does not
 * recognise, sees it. PGlite runs one connection: its queries and transactions are serialized by
 * PGlite itself, which is exactly the single-process guarantee the lease extends to the disk.
 */
export async function openPgliteDatabase(dataDir: string | undefined, options: PgliteOptions = {}): Promise<Database> {
  const inMemory = dataDir === undefined || dataDir === '' || dataDir.startsWith('memory://');
  if (inMemory) {
    const pglite = PGlite.create({ startParams: [...PGLITE_START_PARAMS] });
    await pglite;
    return pgliteDatabase(() => pglite, null, {});
  }

  const dir = prepareDataDir(dataDir);
  const lock = acquireDataDirLock(dir, { ...(options.lease && { lease: options.lease }), onLost: options.onLockLost ?? stopProcess });
  try {
    const opened = inspectDataDir(dir);
    const { pendingWork } = await checkStoreInChild(dir, lock);
    // Opened in this process only when a batch needs it (at once when one is unfinished): see checkStoreInChild.ts.
    let pglite: Promise<PGlite> | null = null;
    const open = () => {
      pglite ??= PGlite.create(dir, { startParams: [...PGLITE_START_PARAMS] }).catch((error: unknown) => {
        pglite = null; // the next query tries again
        throw error;
      });
      return pglite;
    };
    if (pendingWork) await open();
    return pgliteDatabase(open, lock, { opened, migrated: true, pendingWorkAtStart: pendingWork, isOpen: () => pglite !== null });
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** A `Database` over a PGlite the caller opened (no lease): the start-up child's. */
export function databaseOverPglite(pglite: PGlite): Database {
  return pgliteDatabase(async () => pglite, null, {});
}

/**
 * A holder that lost its lease must not write another byte: someone else may be running the store
 * on these files. Exiting, not closing PGlite (a close checkpoints, which writes), is the stop.
 */
function stopProcess(error: DataDirLockLostError): void {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

interface PgliteFacts {
  opened?: DataDirState;
  migrated?: boolean;
  pendingWorkAtStart?: boolean;
  /** Whether PGlite was opened in this process (absent: always). */
  isOpen?: () => boolean;
}

function pgliteDatabase(instance: () => Promise<PGlite>, lock: DataDirLock | null, facts: PgliteFacts): Database {
  let closed = false;
  // Before each statement: a holder resuming from a stall finds out it lost the lease before it writes.
  const held = () => lock?.assertHeld();
  return {
    kind: 'pglite',
    ...(facts.opened && { opened: facts.opened }),
    ...(facts.migrated && { migrated: true }),
    ...(facts.pendingWorkAtStart !== undefined && { pendingWorkAtStart: facts.pendingWorkAtStart }),
    ...(facts.isOpen && { isOpenInProcess: facts.isOpen }),
    query: async (sql, params) => {
      held();
      return runQuery(await instance(), sql, params);
    },
    exec: async (sql) => {
      held();
      await (await instance()).exec(sql);
    },
    transaction: async (work) => {
      held();
      return (await instance()).transaction((tx) =>
        work({ query: (sql, params) => runQuery(tx, sql, params), exec: async (sql) => void (await tx.exec(sql)) }),
      );
    },
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        held();
      } catch {
        return; // Lost: the files are someone else's now, so no checkpoint on close.
      }
      try {
        if (facts.isOpen?.() ?? true) await (await instance()).close();
      } finally {
        lock?.release();
      }
    },
  };
}

async function runQuery<Row extends object>(
  target: PGlite | Transaction,
  sql: string,
  params: readonly unknown[] | undefined,
): Promise<QueryResult<Row>> {
  const result = await target.query<Row>(sql, params === undefined ? undefined : [...params]);
  return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
}
