import pg from 'pg';
import { POSTGRES_POOL_CONNECTIONS, type Database, type Queryable, type QueryResult } from './database.ts';

export interface PostgresDatabaseOptions {
  databaseUrl: string;
  /** Schema every connection uses (`search_path`); created when missing. Lets tests isolate themselves. */
  schema?: string;
  /** @default POSTGRES_POOL_CONNECTIONS */
  maxConnections?: number;
}

/** PostgreSQL through a `pg` pool; any number of gateway replicas may share the database. */
export async function openPostgresDatabase(options: PostgresDatabaseOptions): Promise<Database> {
  const { schema } = options;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`Schema name ${JSON.stringify(schema)} must be a lower-case SQL identifier`);
  }
  if (schema !== undefined) {
    // A short-lived client: the pool's connections start with the schema on their search_path.
    const setup = new pg.Client({ connectionString: options.databaseUrl });
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
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});

  let closed = false;
  return {
    kind: 'postgres',
    query: (sql, params) => runQuery(pool, sql, params),
    exec: async (sql) => {
      await pool.query(sql);
    },
    transaction: async (work) => {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          query: (sql, params) => runQuery(client, sql, params),
          exec: async (sql) => void (await client.query(sql)),
        };
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // the connection is gone; do not return it to the pool
        }
        throw error;
      } finally {
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

async function runQuery<Row extends object>(
  target: pg.Pool | pg.PoolClient,
  sql: string,
  params: readonly unknown[] | undefined,
): Promise<QueryResult<Row>> {
  const result = await target.query<Row>(sql, params === undefined ? undefined : [...params]);
  return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
}
