import { storeTimeoutOf } from './store/storeUnavailable.ts';

/**
 * A start that cannot go on for a reason outside the code: the message names the setting to
 * check and is safe to print as it is (no credential, no stack). `main.ts` prints it on one line
 * and exits with 1.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** The store's time bounds in force, to name the one a failure ran into. */
export interface StoreBounds {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

/**
 * The database in DATABASE_URL cannot be reached or used; the URL is shown without its
 * credentials. A connection not made, or a statement not answered, within its bound is said so,
 * naming the setting (a statement at start-up stuck behind another session's lock was printed as
 * pg's "canceling statement due to statement timeout" with its stack: an operator trial).
 */
export function databaseUnavailable(databaseUrl: string, cause: unknown, bounds?: StoreBounds): StartupError {
  let where = 'an unparsable URL';
  let password = '';
  try {
    const url = new URL(databaseUrl);
    password = decodeURIComponent(url.password);
    where = `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    // zod checked the scheme only; say nothing more about a URL we cannot read.
  }
  let reason = reasonOf(cause).split(databaseUrl).join('<DATABASE_URL>');
  let advice = 'Check that PostgreSQL runs there and accepts this URL.';
  const timedOut = bounds ? storeTimeoutOf(cause) : null;
  if (bounds && timedOut === 'connect') {
    reason = `no connection within ${bounds.connectTimeoutMs} ms (SWITCHBOARD_DATABASE_CONNECT_TIMEOUT_MS): nothing there answered in time`;
  } else if (bounds && timedOut === 'statement') {
    reason = `a statement did not finish within ${bounds.statementTimeoutMs} ms (SWITCHBOARD_DATABASE_STATEMENT_TIMEOUT_MS)`;
    advice = "Another session may hold a lock on the store's tables (pg_locks shows it), or the server is too busy to answer; start again once it is free.";
  }
  if (password) reason = reason.split(password).join('***');
  return new StartupError(`Cannot open the store in DATABASE_URL (${where}): ${reason}. ${advice}`);
}

/**
 * The HTTP server cannot listen. The message names the setting to fix: HOST when the address is
 * the problem (a name that does not resolve, an address not of this machine), PORT when the port
 * is (in use, not ours to take), both when Node's reason is something else.
 */
export function listenUnavailable(port: number, host: string, cause: unknown): StartupError {
  const code = (cause as { code?: unknown } | null)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return portProblem(port, host, 'it is already in use');
    case 'EACCES':
      return portProblem(port, host, 'this user may not bind it');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return hostProblem(port, host, 'the name does not resolve to an address');
    case 'EADDRNOTAVAIL':
      return hostProblem(port, host, 'it is not an address of this machine');
    default:
      return new StartupError(`Cannot listen on HOST ${host}, PORT ${port}: ${reasonOf(cause)}. Check HOST and PORT; nothing was dispatched.`);
  }
}

function portProblem(port: number, host: string, why: string): StartupError {
  return new StartupError(`Cannot listen on PORT ${port} (HOST ${host}): ${why}. Set PORT to a free port; nothing was dispatched.`);
}

function hostProblem(port: number, host: string, why: string): StartupError {
  return new StartupError(
    `Cannot listen on HOST ${host} (PORT ${port}): ${why}. Set HOST to an address of this machine (0.0.0.0 for all, 127.0.0.1 for loopback); nothing was dispatched.`,
  );
}

/** One line: Node's connection errors may be AggregateErrors (one per address) with no message of their own. */
function reasonOf(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as { code?: unknown }).code;
  const message = cause.message || (cause instanceof AggregateError ? cause.errors.map(reasonOf).join('; ') : '');
  return (message || (typeof code === 'string' ? code : cause.name)).split('\n')[0] ?? cause.name;
}
