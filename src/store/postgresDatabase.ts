import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import {
  DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS,
  DEFAULT_POSTGRES_STATEMENT_TIMEOUT_MS,
  POSTGRES_POOL_CONNECTIONS,
  type Database,
  type Queryable,
  type QueryResult,
  type TransactionOptions,
} from './database.ts';
import { ANSWER_TIMED_OUT } from './storeUnavailable.ts';

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
 * look alive for hours while it hears nothing). `settings` are server settings the connection
 * starts with (`statement_timeout=30000`).
 *
 * The URL is parsed here, as pg would parse it, because pg lets a URL's own `options`
 * (`?options=-c%20…`, which some hosts need) replace the config's wholesale: our settings were
 * silently dropped (an operator trial: no statement timeout, and no `search_path`, so the tables
 * of another schema). Both are kept now, ours last, so ours win where both set one.
 */
export function postgresConnectionConfig(
  databaseUrl: string,
  connectTimeoutMs = DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS,
  settings: readonly string[] = [],
): pg.ClientConfig {
  const fromUrl = parseIntoClientConfig(databaseUrl);
  const options = [fromUrl.options, ...settings.map((setting) => `-c ${setting}`)].filter(Boolean).join(' ');
  return { ...fromUrl, ...(options && { options }), connectionTimeoutMillis: connectTimeoutMs, keepAlive: true, keepAliveInitialDelayMillis: 10_000 };
}

/**
 * How long this side waits for the answer to a statement PostgreSQL bounds at `statementTimeoutMs`:
 * as long again, at most 5 s more, for the server's own cancel to arrive (`send`). A server that stopped
 * answering altogether (hung, or behind a network that silently drops) cancels nothing, and its
 * statements waited for ever, each holding a request and a pool connection (an operator trial).
 * 0 (no statement timeout) waits without a bound too.
 */
function answerDeadlineMs(statementTimeoutMs: number): number {
  return statementTimeoutMs === 0 ? 0 : statementTimeoutMs + Math.min(statementTimeoutMs, 5_000);
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
  const deadlineMs = answerDeadlineMs(statementTimeoutMs);
  // Set as each connection starts (no statement of ours per connection); a migration lifts the timeout for itself.
  const settings = [`statement_timeout=${statementTimeoutMs}`, ...(schema === undefined ? [] : [`search_path=${schema}`])];
  const pool = new pg.Pool({ ...postgresConnectionConfig(options.databaseUrl, options.connectTimeoutMs, settings), max });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});

  let closed = false;
  return {
    kind: 'postgres',
    query: async <Row extends object>(sql: string, params?: readonly unknown[]) => toQueryResult(await sendOnPool<Row>(pool, sql, params, deadlineMs)),
    exec: async (sql) => void (await sendOnPool(pool, sql, undefined, deadlineMs)),
    transaction: async (work, transactionOptions?: TransactionOptions) => {
      const client = await pool.connect();
      let broken = false;
      // pg-pool listens for a client's errors only while it is idle in the pool: a connection cut
      // while a transaction holds it (PostgreSQL restarted, a backend terminated) raised an
      // 'error' nobody listened for, and the process died. The statement in flight fails on its own.
      const onConnectionError = () => void (broken = true);
      client.on('error', onConnectionError);
      const unbounded = transactionOptions?.unbounded === true;
      const within = unbounded ? 0 : deadlineMs;
      /** A statement of the transaction; one whose answer never came leaves the connection unusable. */
      const sendInTransaction = async <Row extends object>(sql: string, params?: readonly unknown[]) => {
        try {
          return await send<Row>(client, sql, params, within);
        } catch (error) {
          if (error instanceof Error && error.message === ANSWER_TIMED_OUT) broken = true;
          throw error;
        }
      };
      try {
        await sendInTransaction('BEGIN');
        if (unbounded) await sendInTransaction('SET LOCAL statement_timeout = 0');
        const tx: Queryable = {
          query: async <Row extends object>(sql: string, params?: readonly unknown[]) => toQueryResult(await sendInTransaction<Row>(sql, params)),
          exec: async (sql) => void (await sendInTransaction(sql)),
        };
        const result = await work(tx);
        await sendInTransaction('COMMIT');
        return result;
      } catch (error) {
        // A connection that stopped answering would not answer the ROLLBACK either: it is dropped,
        // and PostgreSQL rolls the transaction back when the connection ends.
        if (!broken) {
          try {
            await sendInTransaction('ROLLBACK');
          } catch {
            broken = true; // the connection is gone; do not return it to the pool
          }
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
 * One statement on one of the pool's connections, as `pool.query` runs it (a connection whose
 * statement failed is dropped, not returned), but with `send`'s bound on the wait for its answer,
 * which `pool.query` cannot give: a statement whose answer never came left its connection lent out.
 */
async function sendOnPool<Row extends object>(pool: pg.Pool, sql: string, params: readonly unknown[] | undefined, deadlineMs: number): Promise<pg.QueryResult<Row>> {
  const client = await pool.connect();
  let failure: Error | undefined;
  // pg-pool listens for a client's errors only while it is idle in the pool; unheard, a connection
  // cut under this statement would end the process. The statement fails on its own.
  const onConnectionError = (error: Error) => void (failure ??= error);
  client.on('error', onConnectionError);
  try {
    return await send<Row>(client, sql, params, deadlineMs);
  } catch (error) {
    failure ??= error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.off('error', onConnectionError);
    client.release(failure);
  }
}

/**
 * Sends one statement (or, without parameters, several: pg's simple protocol) through pg's
 * callback form, and gives up on its answer after `deadlineMs` (0: never) with `ANSWER_TIMED_OUT`;
 * the caller then drops the connection. Its promise form (`query()` without a callback) keeps
 * each result reachable from objects V8 has already moved to the old generation until the next
 * full collection, so every row of every query survived the young-generation collections and was
 * promoted: a 100,000-row export promoted all of its rows (about 66 MiB) and the gateway's memory
 * grew by that much before a full GC. With a callback the rows die young (BENCHMARKS.md, "BI";
 * test/store/rowsDieYoung.test.ts). The deadline is this timer, not pg's `query_timeout`, whose
 * timer holds the query, and with it every row, so they were promoted again (the same test).
 */
function send<Row extends object>(client: pg.PoolClient, sql: string, params: readonly unknown[] | undefined, deadlineMs: number): Promise<pg.QueryResult<Row>> {
  return new Promise((resolve, reject) => {
    let deadline: NodeJS.Timeout | undefined;
    const settle = (error: Error | undefined, result: pg.QueryResult<Row>) => {
      clearTimeout(deadline);
      if (error) reject(error);
      else resolve(result);
    };
    if (deadlineMs > 0) deadline = setTimeout(() => reject(new Error(ANSWER_TIMED_OUT)), deadlineMs);
    if (params === undefined) client.query<Row>(sql, settle);
    else client.query<Row>(sql, [...params], settle);
  });
}

function toQueryResult<Row>(result: pg.QueryResult<Row & object>): QueryResult<Row> {
  return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
}
