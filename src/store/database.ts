/**
 * The one database surface the store's queries use. Two adapters implement it with the SAME SQL:
 * PGlite (embedded PostgreSQL in WebAssembly, one process) and PostgreSQL through `pg` (any
 * number of replicas). Queries take positional parameters (`$1`) and return plain rows.
 *
 * Parameter conventions both adapters agree on: strings, numbers, booleans, null and `Date`s are
 * passed as they are; JSON goes in as a string and is cast in SQL with `$n::text::jsonb`, because
 * `pg` would turn a JavaScript array into a PostgreSQL array; counts come back as `::int`, because
 * `pg` returns `bigint` as a string.
 */
export interface Queryable {
  query<Row extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface QueryResult<Row> {
  rows: Row[];
  /** Rows returned by a SELECT or changed by an INSERT, UPDATE or DELETE. */
  rowCount: number;
}

export type DatabaseKind = 'pglite' | 'postgres';

/**
 * Connections in one replica's PostgreSQL pool unless `SWITCHBOARD_DATABASE_POOL_SIZE` says
 * otherwise. Everything the replica does with the database (GraphQL reads, sync, fan-out,
 * exports) shares them; the export cap's default is derived from the pool's size.
 */
export const POSTGRES_POOL_CONNECTIONS = 10;

/**
 * How long a PostgreSQL statement may take unless `SWITCHBOARD_DATABASE_STATEMENT_TIMEOUT_MS` says
 * otherwise: PostgreSQL cancels it after that (`statement_timeout`), so a statement stuck behind
 * someone else's lock, or on a server that stopped answering, fails the request as
 * `STORE_UNAVAILABLE` instead of holding it and a pool connection for ever. Migrations are exempt.
 */
export const DEFAULT_POSTGRES_STATEMENT_TIMEOUT_MS = 30_000;

/**
 * How long this replica waits for a PostgreSQL connection unless
 * `SWITCHBOARD_DATABASE_CONNECT_TIMEOUT_MS` says otherwise: a new one to be made (a server that
 * accepts the socket and never answers hung every request before), or one of the pool's to come free.
 */
export const DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS = 10_000;

/**
 * How long the embedded store's process stays after its last statement unless
 * `SWITCHBOARD_STORE_IDLE_MS` says otherwise (`pgliteProcessClient.ts`). Long enough that a burst
 * of work reuses it, short enough that an idle gateway gives its memory back between sync passes.
 */
export const DEFAULT_STORE_IDLE_MS = 10_000;

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** PGlite in a data directory: whether a new store was created or an existing one opened. */
  readonly opened?: 'new' | 'existing';
  /** The migrations were applied when the store was opened (PGlite in a data directory). */
  readonly migrated?: boolean;
  /**
   * PGlite in a data directory: whether any batch item was unfinished when it was opened. Only
   * this process can write the directory (its lease), so when none was, the fan-out has nothing
   * to look for until a batch is created here.
   */
  readonly pendingWorkAtStart?: boolean;
  /**
   * PGlite in a data directory: whether the store's process runs now (it starts on a statement and
   * stops once idle, taking its memory with it). Probes and metric scrapes read the store only
   * while it runs, so they never start it. Absent where the store is always open.
   */
  isRunning?(): boolean;
  /**
   * PGlite in a data directory: whether any statement ran since start-up. Until one did, the store
   * holds no lease of this process to release at shutdown. Absent where that is not tracked.
   */
  usedSinceStart?(): boolean;
  /**
   * Runs `work` in one transaction (READ COMMITTED, unless `work`'s first statement sets another
   * level, as a snapshot read does) on one connection: committed when it resolves, rolled back when
   * it throws. Transactions do not nest.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Closes the pool or the embedded database and releases the data directory. */
  close(): Promise<void>;
  /** The connection pool's use now (PostgreSQL); absent where there is no pool (PGlite: one connection). */
  poolStats?(): PoolStats;
}

export interface TransactionOptions {
  /**
   * No time bound on this transaction's statements (PostgreSQL's statement timeout, and this
   * side's wait for their answers): migrations, which may wait for another replica's or build an
   * index on a large table. PGlite has no bound to lift.
   */
  unbounded?: boolean;
}

export interface PoolStats {
  /** Most connections the pool opens. */
  max: number;
  /** Connections open now, idle or lent out. */
  open: number;
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
}
