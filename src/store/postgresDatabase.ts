import pg from 'pg';
import {
  DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS,
  DEFAULT_POSTGRES_STATEMENT_TIMEOUT_MS,
  POSTGRES_POOL_CONNECTIONS,
  type Database,
  type Queryable,
  type QueryResult,
} from './database.ts';

export interface PostgresDatabaseOptions {
  databaseUrl: string;
  /** Schema every connection uses (`search_path`); created when missing. Lets tests isolate themselves. */
  schema?: string;
  /** @default POSTGRES_POOL_CONNECTIONS */
  maxConnections?: number;
  /** PostgreSQL's `statement_timeout` on the pool's connections; 0 for none. @default DEFAULT_POSTGRES_STATEMENT_TIMEOUT_MS */
  statementTimeoutMs?: number;
  /** Waiting for a new connection, or for one of the pool's. @default DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS */
  connectTimeoutMs?: number;
}

/**
 * What every connection of ours to PostgreSQL is made with (the pool's, the schema setup's, the
 * change feed's listening one): a bound on making it, and TCP keepalives, so that a connection
 * whose server vanished without a word (a network cut, a host gone) is found dead in about a minute
 * instead of waiting for an answer that never comes (the feed's, idle by design, would otherwise
 * look alive for hours while it hears nothing).
 */
export function postgresConnectionConfig(databaseUrl: string, connectTimeoutMs = DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS): pg.ClientConfig {
  return { connectionString: databaseUrl, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true, keepAliveInitialDelayMillis: 10_000 };
}

/** PostgreSQL through a `pg` pool; any number of gateway replicas may share the database. */
export async function openPostgresDatabase(options: PostgresDatabaseOptions): Promise<Database> {
  const { schema } = options;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`Schema name ${JSON.stringify(schema)} must be a lower-case SQL identifier`);
  }
  if (schema !== undefined) {
    // A short-lived client: the pool's connections start with the schema on their search_path.
    const setup = new pg.Client(postgresConnectionConfig(options.databaseUrl, options.connectTimeoutMs));
    // A connection cut under it fails the statement in flight; unheard, its 'error' event would end the process.
    setup.on('error', () => {});
    await setup.connect();
    try {
      await setup.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } catch (error) {
      // Two replicas creating the schema at once: the loser's error is harmless if it now exists.
      const exists = await setup.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (exists.rowCount === 0) throw error;
    } finally {
      await setup.end();
    }
  }
  const max = options.maxConnections ?? POSTGRES_POOL_CONNECTIONS;
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_POSTGRES_STATEMENT_TIMEOUT_MS;
  const settings = [`statement_timeout=${statementTimeoutMs}`, ...(schema === undefined ? [] : [`search_path=${schema}`])];
  const pool = new pg.Pool({
    ...postgresConnectionConfig(options.databaseUrl, options.connectTimeoutMs),
    max,
    // Set as the connection starts (no statement of ours per connection); a migration lifts the timeout for itself.
    options: settings.map((setting) => `-c ${setting}`).join(' '),
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});

  let closed = false;
  return {
    kind: 'postgres',
    query: (sql, params) => runQuery(pool, sql, params),
    exec: async (sql) => void (await send(pool, sql)),
    transaction: async (work) => {
      const client = await pool.connect();
      let broken = false;
      // pg-pool listens for a client's errors only while it is idle in the pool: a connection cut
      // while a transaction holds it (PostgreSQL restarted, a backend terminated) raised an
      // 'error' nobody listened for, and the process died. The statement in flight fails on its own.
      const onConnectionError = () => void (broken = true);
      client.on('error', onConnectionError);
      try {
        await send(client, 'BEGIN');
        const tx: Queryable = {
          query: (sql, params) => runQuery(client, sql, params),
          exec: async (sql) => void (await send(client, sql)),
        };
        const result = await work(tx);
        await send(client, 'COMMIT');
        return result;
      } catch (error) {
        try {
          await send(client, 'ROLLBACK');
        } catch {
          broken = true; // the connection is gone; do not return it to the pool
        }
        throw error;
      } finally {
        client.off('error', onConnectionError);
        client.release(broken);
      }
    },
    poolStats: () => ({ max, open: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/**
 * Sends one statement (or, without parameters, several: pg's simple protocol) through pg's
 * callback form. Its promise form (`query()` without a callback) keeps each result reachable from
 * objects V8 has already moved to the old generation until the next full collection, so every row
 * of every query survived the young-generation collections and was promoted: a 100,000-row export
 * promoted all of its rows (about 66 MiB) and the gateway's memory grew by that much before a full
 * GC. With a callback the rows die young (BENCHMARKS.md, "BI"; test/store/rowsDieYoung.test.ts).
 */
function send<Row extends object>(target: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]): Promise<pg.QueryResult<Row>> {
  return new Promise((resolve, reject) => {
    const settle = (error: Error | undefined, result: pg.QueryResult<Row>) => (error ? reject(error) : resolve(result));
    if (params === undefined) target.query<Row>(sql, settle);
    else target.query<Row>(sql, [...params], settle);
  });
}

async function runQuery<Row extends object>(
  target: pg.Pool | pg.PoolClient,
  sql: string,
  params: readonly unknown[] | undefined,
): Promise<QueryResult<Row>> {
  const result = await send<Row>(target, sql, params);
  return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
}
