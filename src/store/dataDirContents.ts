import { mkdirSync, readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import { DEFAULT_DATA_DIR } from '../config.ts';
import { InvalidDataDirError, isErrno } from './dataDirErrors.ts';
import { createDirectoryChain } from './directoryChain.ts';
import { isLeaseFile } from './dataDirLock.ts';

/** What opening a data directory will do: start a new store in it, or open the one it holds. */
export type DataDirState = 'new' | 'existing';

const NEVER_REINITIALISED =
  'Point SWITCHBOARD_DATA_DIR at the store, or at a directory that does not exist yet or is empty to start a new one; ' +
  'Switchboard never re-initialises a directory with files in it.';

/**
 * Refuses, without writing anything, a path that cannot hold a store: not a directory, or missing
 * with a parent that is missing (only the default `.data/pglite` may create its parent) or is not
 * a directory. Run before anything creates directories from `SWITCHBOARD_DATA_DIR` (the demo's
 * simulator state beside it too). Returns whether the directory exists.
 */
export function checkDataDirPlace(dataDir: string): 'exists' | 'missing' {
  const dir = resolve(dataDir);
  const stats = statOrNull(dir);
  if (stats !== null) {
    if (!stats.isDirectory()) throw new InvalidDataDirError(dir, 'is not a directory.');
    return 'exists';
  }
  const parent = dirname(dir);
  const parentStats = statOrNull(parent);
  if (parentStats === null && !isDefaultDataDir(dataDir)) {
    throw new InvalidDataDirError(
      dir,
      `does not exist and neither does its parent ${parent}: a new store is created only in an existing directory, ` +
        'so a mistyped path cannot start an empty one.',
    );
  }
  if (parentStats !== null && !parentStats.isDirectory()) {
    throw new InvalidDataDirError(dir, `cannot be created: its parent ${parent} is not a directory.`);
  }
  return 'missing';
}

/** The default `.data/pglite`, the one data directory whose parent may be created. */
export function isDefaultDataDir(dataDir: string): boolean {
  return normalize(dataDir) === normalize(DEFAULT_DATA_DIR);
}

/**
 * Before the lease is taken: refuses a path that cannot hold a store (`checkDataDirPlace`),
 * without writing anything into it, and creates the directory when it is missing. A new store
 * starts only in a directory that does not exist yet (whose parent does) or is empty, so a
 * mistyped path is refused instead of silently starting an empty store. Returns the directory's
 * real path, so two spellings of one directory share one lease.
 */
export function prepareDataDir(dataDir: string): string {
  const dir = resolve(dataDir);
  if (checkDataDirPlace(dataDir) === 'exists') {
    inspectDataDir(dir);
    return realpathSync(dir);
  }
  const problem = (message: string) => new InvalidDataDirError(dir, `cannot be created: ${message}.`);
  createDirectoryChain(dirname(dir), problem);
  try {
    mkdirSync(dir);
  } catch (error) {
    // Another process created it a moment ago; the lease decides who uses it.
    if (!isErrno(error, 'EEXIST')) throw problem(errorMessage(error));
  }
  return realpathSync(dir);
}

/**
 * Under the lease: `new` when the directory is empty (lease files aside), `existing` when it is
 * a PGlite store, else refused. PGlite itself would run initdb over a directory without
 * `PG_VERSION`, wiping every batch in it; this check is what stops that.
 */
export function inspectDataDir(dir: string): DataDirState {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => !isLeaseFile(name));
  } catch (error) {
    throw new InvalidDataDirError(dir, `cannot be read: ${errorMessage(error)}.`);
  }
  if (names.length === 0) return 'new';
  const notAStore = (what: string) => new InvalidDataDirError(dir, `has files but is not a PGlite store: ${what}. ${NEVER_REINITIALISED}`);
  let version: string;
  try {
    version = readFileSync(join(dir, 'PG_VERSION'), 'utf8').trim();
  } catch (error) {
    throw notAStore(isErrno(error, 'ENOENT') ? 'PG_VERSION is missing' : `PG_VERSION cannot be read (${errorMessage(error)})`);
  }
  if (!/^\d+$/.test(version)) throw notAStore('PG_VERSION does not hold a PostgreSQL major version');
  if (statOrNull(join(dir, 'global', 'pg_control')) === null) throw notAStore('global/pg_control is missing');
  return 'existing';
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return null;
    throw new InvalidDataDirError(path, `cannot be read: ${errorMessage(error)}.`);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
