import { PGlite, type Transaction } from '@electric-sql/pglite';
import { acquireDataDirLock, type DataDirLock } from './dataDirLock.ts';
import type { Database, QueryResult } from './database.ts';

/**
 * Opens PGlite in memory (`memory://` or no directory) or in a data directory, which is locked
 * for this process first. PGlite runs one connection: its queries and transactions are serialized
 * by PGlite itself, which is exactly the single-process guarantee the lock extends to the disk.
 */
export async function openPgliteDatabase(dataDir: string | undefined): Promise<Database> {
  const inMemory = dataDir === undefined || dataDir === '' || dataDir.startsWith('memory://');
  const lock: DataDirLock | null = inMemory ? null : acquireDataDirLock(dataDir);
  let pglite: PGlite;
  try {
    pglite = lock === null ? await PGlite.create() : await PGlite.create(lock.dataDir);
  } catch (error) {
    lock?.release();
    throw error;
  }
  let closed = false;
  return {
    kind: 'pglite',
    query: (sql, params) => runQuery(pglite, sql, params),
    exec: async (sql) => {
      await pglite.exec(sql);
    },
    transaction: (work) =>
      pglite.transaction((tx) =>
        work({ query: (sql, params) => runQuery(tx, sql, params), exec: async (sql) => void (await tx.exec(sql)) }),
      ),
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await pglite.close();
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
