import { StoreProcessExitedError } from './pgliteProcessClient.ts';

/**
 * SQLSTATE classes and codes that say the store was out of reach, not that the statement was
 * wrong: class 08 (connection exception), class 53 (insufficient resources: too many connections,
 * out of memory, disk full), and the server shutting down or starting (57P01 admin_shutdown,
 * 57P02 crash_shutdown, 57P03 cannot_connect_now). A statement that ran into a time bound
 * (`storeTimeoutOf`: canceled at the statement timeout, stuck behind another session's lock or on a
 * server too busy to answer) counts too: the same statement a moment later may well get through.
 */
const UNREACHABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03']);
const UNREACHABLE_SQLSTATE_CLASSES = ['08', '53'];
/** 55000 is a statement's own error too; at connection time it is the database refusing them (`ALLOW_CONNECTIONS false`). */
const REFUSING_CONNECTIONS = /is not currently accepting connections/;
/** Socket errors of a connection to PostgreSQL that could not be made or was cut. */
const UNREACHABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** The error of a statement whose answer did not come within its deadline (`postgresDatabase.ts`; pg's words for its own `query_timeout`). */
export const ANSWER_TIMED_OUT = 'Query read timeout';
/** A statement PostgreSQL canceled: at its statement timeout, or by an operator. */
const STATEMENT_CANCELED = '57014';

/** node-postgres's words for a connection not made in time: a pooled client's, pg-pool's, a lone client's connect. */
const CONNECT_TIMED_OUT = /^(Connection terminated due to connection timeout|timeout exceeded when trying to connect|timeout expired$)/;

/**
 * node-postgres reports a cut connection, a connection not made in time and a pool that found no
 * connection in time with these messages and no code (pg-pool, pg's client.js); a statement whose
 * answer never came with `ANSWER_TIMED_OUT`.
 */
const UNREACHABLE_PG_MESSAGES = /^(Connection terminated|Client has encountered a connection error)/;

/**
 * Which of the store's time bounds a failure ran into, if any: the connection's
 * (`SWITCHBOARD_DATABASE_CONNECT_TIMEOUT_MS`) or the statement's (`..._STATEMENT_TIMEOUT_MS`:
 * PostgreSQL canceled it, or its answer never came).
 */
export function storeTimeoutOf(error: unknown): 'connect' | 'statement' | null {
  if (!(error instanceof Error)) return null;
  if (CONNECT_TIMED_OUT.test(error.message)) return 'connect';
  if ((error as { code?: unknown }).code === STATEMENT_CANCELED || error.message === ANSWER_TIMED_OUT) return 'statement';
  return null;
}

/**
 * Whether a failed store statement failed because the store was out of reach (the embedded store's
 * process ended under it; PostgreSQL refused, dropped or could not give a connection), which the
 * same request retried may get past; not a statement's own failure (a constraint, a bug), which a
 * retry repeats. Clients get `STORE_UNAVAILABLE` for the first, `INTERNAL_SERVER_ERROR` for the second.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof StoreProcessExitedError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNREACHABLE_SQLSTATE_CLASSES.some((sqlClass) => code.startsWith(sqlClass)) || UNREACHABLE_SQLSTATES.has(code) || UNREACHABLE_SOCKET_CODES.has(code)) return true;
    if (code === '55000' && REFUSING_CONNECTIONS.test(error.message)) return true;
  }
  return storeTimeoutOf(error) !== null || UNREACHABLE_PG_MESSAGES.test(error.message);
}
