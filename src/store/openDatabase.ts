import type { Database } from './database.ts';
import { openPgliteDatabase, type PgliteOptions } from './pgliteDatabase.ts';

export interface OpenDatabaseOptions extends PgliteOptions {
  /** PostgreSQL connection URL; when set, PostgreSQL is used and `dataDir` is ignored. */
  databaseUrl?: string;
  /**
   * PGlite data directory, or `memory://` (the default) for an in-memory database. A new store is
   * created only in a directory that does not exist yet or is empty; see `dataDirContents.ts`.
   */
  dataDir?: string;
  /** PostgreSQL only: the schema to work in (created when missing). */
  schema?: string;
  /** PostgreSQL only: connections in the pool. @default POSTGRES_POOL_CONNECTIONS */
  maxConnections?: number;
  /** PostgreSQL only: `statement_timeout`, 0 for none. @default DEFAULT_POSTGRES_STATEMENT_TIMEOUT_MS */
  statementTimeoutMs?: number;
  /** PostgreSQL only: waiting for a connection. @default DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS */
  connectTimeoutMs?: number;
}

/** PostgreSQL when a URL is given, else embedded PGlite. The same SQL runs on both. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    // Loaded only here: a gateway on the embedded store never needs the `pg` driver (BENCHMARKS.md, idle memory).
    const { openPostgresDatabase } = await import('./postgresDatabase.ts');
    return openPostgresDatabase({
      databaseUrl: options.databaseUrl,
      ...(options.schema === undefined ? {} : { schema: options.schema }),
      ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
      ...(options.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: options.statementTimeoutMs }),
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    });
  }
  return openPgliteDatabase(options.dataDir, {
    ...(options.lease && { lease: options.lease }),
    ...(options.onLockLost && { onLockLost: options.onLockLost }),
    ...(options.idleMs !== undefined && { idleMs: options.idleMs }),
    ...(options.logger && { logger: options.logger }),
  });
}
