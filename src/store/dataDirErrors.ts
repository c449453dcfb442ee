import { ConfigError } from '../config.ts';

/**
 * Errors about the embedded store's data directory. The ones at start-up are configuration errors
 * (`ConfigError`): `main.ts` prints their message alone, without a stack, and exits 1. Each names
 * `SWITCHBOARD_DATA_DIR`, the setting that chose the directory. (They keep `ConfigError`'s `name`,
 * a literal type there; tell them apart with `instanceof`.)
 */

/** Another process (or this one, opening twice) holds the directory's lease. */
export class DataDirLockedError extends ConfigError {
  readonly dataDir: string;
  /** Who holds it, as the lease file says: "pid 12 on host-a (PID namespace pid:[4026532]), ...". */
  readonly holder: string;
  readonly ttlMs: number;
  /**
   * The holder is dead (seen in our PID namespace) and only these processes it started still work
   * in the directory: its store process closing the store after it. They exit on their own.
   */
  readonly orphanedHelpers: readonly number[];
  constructor(dataDir: string, holder: string, ttlMs: number, orphanedHelpers: readonly number[] = []) {
    super(
      `SWITCHBOARD_DATA_DIR (${dataDir}) is in use by another Switchboard process: ${holder}. ` +
        'PGlite serves one process only: stop that process, point SWITCHBOARD_DATA_DIR at another directory, ' +
        `or set DATABASE_URL to share a PostgreSQL database. A holder that died is taken over once its heartbeat ` +
        `is more than ${formatSeconds(ttlMs)} old.`,
    );
    this.dataDir = dataDir;
    this.holder = holder;
    this.ttlMs = ttlMs;
    this.orphanedHelpers = orphanedHelpers;
  }
}

/** The path cannot hold a store: not a directory, files that are not a store, a missing parent. */
export class InvalidDataDirError extends ConfigError {
  readonly dataDir: string;
  constructor(dataDir: string, problem: string) {
    super(`SWITCHBOARD_DATA_DIR (${dataDir}) ${problem}`);
    this.dataDir = dataDir;
  }
}

const UNWRITABLE: readonly (readonly [codes: readonly string[], why: string])[] = [
  [['EROFS'], 'is on a read-only file system'],
  [['EACCES', 'EPERM'], 'is not writable by this user'],
  [['ENOSPC', 'EDQUOT'], 'has no space left'],
];

/**
 * The directory cannot be written (the lease file is the first thing written in an existing
 * store). A read-only store printed Node's EROFS with its stack, naming no setting (an operator trial).
 */
export class DataDirUnwritableError extends ConfigError {
  readonly dataDir: string;
  /** Why, as a predicate of the directory: "is on a read-only file system". */
  readonly why: string;
  constructor(dataDir: string, why: string, options?: ErrorOptions) {
    super(`SWITCHBOARD_DATA_DIR (${dataDir}) ${why}: the embedded store writes there. Point SWITCHBOARD_DATA_DIR at a writable directory, or set DATABASE_URL.`, options);
    this.dataDir = dataDir;
    this.why = why;
  }
}

/** `error` as the directory's `DataDirUnwritableError` when it says the directory cannot be written, else null. */
export function unwritableDataDir(dataDir: string, error: unknown): DataDirUnwritableError | null {
  const why = UNWRITABLE.find(([codes]) => codes.some((code) => isErrno(error, code)))?.[1];
  return why === undefined ? null : new DataDirUnwritableError(dataDir, why, { cause: error });
}

/**
 * The lease was taken over while this process held it (its heartbeat stalled past the TTL, or
 * someone removed the lease file). Not a start-up error: the store stops at once, so that two
 * processes never write the same files.
 */
export class DataDirLockLostError extends Error {
  override readonly name = 'DataDirLockLostError';
  readonly dataDir: string;
  constructor(dataDir: string, what: string) {
    super(
      `Switchboard lost the lease on SWITCHBOARD_DATA_DIR (${dataDir}): ${what}. ` +
        'Another process may be using the store, so this one stops instead of writing to it.',
    );
    this.dataDir = dataDir;
  }
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** Whether `error` is a Node system error with this `code` (`ENOENT`, `EEXIST`, …). */
export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
