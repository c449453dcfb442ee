import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { migrate } from '../../src/store/migrate.ts';
import { openDatabase } from '../../src/store/openDatabase.ts';
import type { Database } from '../../src/store/database.ts';
import { inProcessDatabase } from '../../src/store/pgliteDatabase.ts';
import { PGLITE_START_PARAMS } from '../../src/store/pgliteSizing.ts';

/** Set to run the PostgreSQL half of the suites, e.g. `postgres://postgres@127.0.0.1:5432/test`. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? '';

export interface TestDatabase {
  db: Database;
  /** Opens another connection pool on the same database (PostgreSQL: another "replica"). */
  openAnother(): Promise<Database>;
  /** Closes everything and, on PostgreSQL, drops the test's schema. */
  dispose(): Promise<void>;
}

/**
 * The first store `openTestPglite` made in this test process, dumped (PGlite's `dumpDataDir`) as
 * soon as it was migrated. Later stores start from a copy of it instead of running initdb and
 * every migration again: about 1 s a store against 4 s on a 2-core machine, which counts in files
 * that open one per test. Each store is still new, migrated, in memory and its own; the first one
 * of each process runs the migrations (as do the migration tests).
 */
let migratedDump: Blob | null = null;

/** A fresh, migrated in-memory PGlite, as `openDatabase({ dataDir: 'memory://' })` opens one. */
export async function openTestPglite(): Promise<TestDatabase> {
  let db: Database;
  if (migratedDump) {
    db = inProcessDatabase(await PGlite.create({ startParams: [...PGLITE_START_PARAMS], loadDataDir: migratedDump }));
  } else {
    const pglite = await PGlite.create({ startParams: [...PGLITE_START_PARAMS] });
    db = inProcessDatabase(pglite);
    await migrate(db);
    migratedDump = await pglite.dumpDataDir('none');
  }
  return {
    db,
    openAnother: () => Promise.reject(new Error('An in-memory PGlite cannot be opened twice')),
    dispose: () => db.close(),
  };
}

/** A migrated schema of its own on TEST_DATABASE_URL, dropped by `dispose`. */
export async function openTestPostgres(): Promise<TestDatabase> {
  const schema = `sb_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const opened: Database[] = [];
  const open = async () => {
    const db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, schema });
    opened.push(db);
    return db;
  };
  const db = await open();
  await migrate(db);
  return {
    db,
    openAnother: open,
    dispose: async () => {
      await Promise.all(opened.map((each) => each.close()));
      await dropTestSchema(schema);
    },
  };
}

/** Drops a test's own schema on TEST_DATABASE_URL (and everything in it). */
export async function dropTestSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
