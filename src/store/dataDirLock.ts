import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const LOCK_FILE_NAME = 'switchboard.lock';

/** Thrown when another live process (or this one) already has the data directory open. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
  readonly dataDir: string;
  readonly holderPid: number;
  constructor(dataDir: string, holderPid: number) {
    super(
      `The data directory ${dataDir} is in use by process ${holderPid}. PGlite serves one process only: ` +
        `stop that process, use another directory, or set DATABASE_URL to share a PostgreSQL database.`,
    );
    this.dataDir = dataDir;
    this.holderPid = holderPid;
  }
}

export interface DataDirLock {
  /** The data directory, resolved to an absolute path. */
  readonly dataDir: string;
  /** The lock file inside it. */
  readonly path: string;
  release(): void;
}

/** Directories this process holds, so a second open in the same process is refused as well. */
const heldByThisProcess = new Set<string>();

/**
 * Takes the data directory for this process with a lock file created by `O_EXCL` (atomic on
 * local filesystems), holding our pid. A lock left by a dead process is taken over: PGlite has no
 * lock of its own, and two processes writing one directory would corrupt it silently.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE_NAME);
  if (heldByThisProcess.has(path)) throw new DataDirLockedError(dir, process.pid);

  // Two attempts: the second follows the removal of a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      heldByThisProcess.add(path);
      return {
        dataDir: dir,
        path,
        release: () => {
          if (!heldByThisProcess.delete(path)) return;
          try {
            unlinkSync(path);
          } catch {
            // Already gone; nothing to release.
          }
        },
      };
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
    const holder = readHolderPid(path);
    if (holder !== null && holder !== process.pid && isAlive(holder)) throw new DataDirLockedError(dir, holder);
    // A dead holder, our own pid from an earlier life, or an unreadable file: the lock is stale.
    try {
      unlinkSync(path);
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
  }
  throw new DataDirLockedError(dir, readHolderPid(path) ?? -1);
}

function readHolderPid(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return isErrno(error, 'EPERM');
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
