import { randomUUID } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  futimesSync,
  linkSync,
  openSync,
  readFileSync,
  readlinkSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DataDirLockedError, DataDirLockLostError, formatSeconds, isErrno, unwritableDataDir } from './dataDirErrors.ts';

/**
 * The PGlite data directory's lease: one process at a time may run the embedded store.
 *
 * PGlite has no lock of its own, and two processes writing one directory each see only their own
 * batches and corrupt the files. A pid file is not enough: two containers sharing a volume live in
 * different PID namespaces, so each sees the other's pid as dead (or as some unrelated process) and
 * takes the file over. An OS lock (`flock`/`fcntl`) would hold across namespaces, but Node has no
 * API for it and we have no native addon; a lease in the directory needs nothing but the
 * filesystem, so that is what this is:
 *
 * - **Acquire**: `switchboard.lock` is created with `O_EXCL` (atomic), holding a record with a
 *   random per-process token, pid, host, PID namespace and boot id. The holder keeps it open.
 * - **Heartbeat**: every `heartbeatMs` (3 s) the holder checks that the path is still its own file
 *   (same inode as its open descriptor, same token) and sets the file's mtime to now. If it is not,
 *   the lease was lost: `onLost` fires and the store stops (the gateway exits 1). The store also
 *   checks before a query when the last check is older than one heartbeat, so a holder resuming
 *   from a stall finds out before it writes.
 * - **Take over** only a stale lease: its mtime is more than `ttlMs` (15 s) old, or, as a fast
 *   path after a crash, the holder ran in our own PID namespace on our own boot and its pid is
 *   dead (or runs another process since: the record has its start time), and so are the helpers
 *   it named in the record (`addHelper`: the store's process, which a holder killed leaves
 *   closing the store in the directory; a helper heartbeats the lease too while it is named).
 *   The stale file is renamed aside (atomic; only one taker can move it) and checked to be the
 *   very file judged stale (same inode, same mtime); if its holder heartbeated in between, it is
 *   linked back and the taker is refused.
 * - **Release** on clean close: the file is removed if it is still ours.
 *
 * Assumptions, documented in the store README: the clocks of the processes sharing the directory
 * agree within a few seconds (the heartbeat is a timestamp); the holder's event loop never stalls
 * for `ttlMs` (PGlite runs on that loop, so a stalled holder does not write either, and it checks
 * the lease before writing again); `rename` and `link` are atomic on the filesystem (local disks,
 * Docker volumes, NFS). A taker that wins a lease its holder has not noticed yet overlaps with it
 * for at most one heartbeat before the holder stops.
 */

export const LOCK_FILE_NAME = 'switchboard.lock';
/** Names of files the lease leaves in the data directory (the lease, and leases moved aside). */
export const isLeaseFile = (name: string): boolean => name === LOCK_FILE_NAME || name.startsWith(`${LOCK_FILE_NAME}.`);

export interface LeaseTiming {
  /** How often the holder refreshes the lease. */
  heartbeatMs: number;
  /** How old a heartbeat must be before another process may take the lease over. */
  ttlMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = { heartbeatMs: 3_000, ttlMs: 15_000 };

/** The record in the lease file. */
export interface LeaseHolder {
  token: string;
  pid: number;
  host: string;
  /** `/proc/self/ns/pid`, e.g. `pid:[4026531836]`; null off Linux. */
  pidNamespace: string | null;
  /** `/proc/sys/kernel/random/boot_id`; null off Linux. */
  bootId: string | null;
  acquiredAt: string;
  /**
   * When the holder's process started (`/proc/<pid>/stat`'s start time, clock ticks since boot);
   * null off Linux. With the boot id it names the process, not just its pid: a pid freed by a
   * crash and taken by another process (pids wrap at 32768 on many machines) is not the holder.
   */
  startTicks?: string | null;
  /**
   * Processes the holder started to work in the directory for it (the store's process,
   * `pgliteProcessClient.ts`), while they run. A holder that dies leaves them running until they
   * have closed the store: the lease is not taken over while any of them lives.
   */
  helperPids?: number[];
  /** Each helper's start time, as `startTicks`, by pid. */
  helperStartTicks?: Record<string, string>;
}

export interface DataDirLockOptions {
  lease?: Partial<LeaseTiming>;
  /** The clock heartbeats are written and judged with (ms since the epoch). @default Date.now */
  now?: () => number;
  /** Called once when the lease turns out to be lost; the heartbeat has stopped by then. */
  onLost?: (error: DataDirLockLostError) => void;
}

export interface DataDirLock {
  /** The data directory, as given (resolved by the caller). */
  readonly dataDir: string;
  /** The lease file inside it. */
  readonly path: string;
  readonly holder: LeaseHolder;
  /**
   * Throws `DataDirLockLostError` (after calling `onLost`) if the lease is no longer ours. Checks
   * the file only when the last check is older than one heartbeat, so it is cheap per query.
   */
  assertHeld(): void;
  /** Records a process that works in the directory for the holder; `done` removes it again. */
  addHelper(pid: number): { done(): void };
  release(): void;
}

const PID_NAMESPACE = readOrNull(() => readlinkSync('/proc/self/ns/pid'));
const BOOT_ID = readOrNull(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());

/** Tokens of the leases this process holds, so a second open in the same process is refused too. */
const heldByThisProcess = new Set<string>();

/** Takes the lease on `dataDir` (an existing directory, resolved) or throws `DataDirLockedError`. */
export function acquireDataDirLock(dataDir: string, options: DataDirLockOptions = {}): DataDirLock {
  const timing = { ...DEFAULT_LEASE_TIMING, ...options.lease };
  if (!(timing.heartbeatMs > 0 && timing.ttlMs >= 2 * timing.heartbeatMs)) {
    throw new RangeError(`lease ttlMs (${timing.ttlMs}) must be at least twice heartbeatMs (${timing.heartbeatMs})`);
  }
  const now = options.now ?? Date.now;
  const path = join(dataDir, LOCK_FILE_NAME);
  const me: LeaseHolder = {
    token: randomUUID(),
    pid: process.pid,
    host: hostname(),
    pidNamespace: PID_NAMESPACE,
    bootId: BOOT_ID,
    acquiredAt: new Date(now()).toISOString(),
    startTicks: processStartTicks(process.pid),
  };

  try {
    return acquireLease(dataDir, path, me, timing, now, options.onLost);
  } catch (error) {
    throw unwritableDataDir(dataDir, error) ?? error;
  }
}

function acquireLease(
  dataDir: string,
  path: string,
  me: LeaseHolder,
  timing: LeaseTiming,
  now: () => number,
  onLost: DataDirLockOptions['onLost'],
): DataDirLock {
  // A few attempts: each one after moving a stale lease aside, in case another taker raced us.
  for (let attempt = 0; attempt < 3; attempt++) {
    const fd = createExclusive(path);
    if (fd !== null) {
      writeSync(fd, `${JSON.stringify(me)}\n`);
      fsyncSync(fd);
      touch(fd, now());
      return holdLease(dataDir, path, fd, me, timing, now, onLost);
    }
    const seen = statOrNull(path);
    if (seen === null) continue;
    const holder = readHolder(path);
    const ageMs = Math.max(0, now() - seen.mtimeMs);
    if (holder !== null && heldByThisProcess.has(holder.token)) {
      throw new DataDirLockedError(dataDir, `this process (${describeHolder(holder, ageMs, [])})`, timing.ttlMs);
    }
    // One look at the holder's processes, which every decision below uses: its store process may
    // exit between two looks (a restart right after a crash), and a refusal built from a second
    // look would then name no helper to wait for, so the restart would fail instead of waiting.
    const look = holder === null ? null : lookAtHolder(holder);
    const stale = ageMs > timing.ttlMs || (look !== null && look.dead && look.helpers.length === 0);
    if (!stale) throw new DataDirLockedError(dataDir, describeHolder(holder, ageMs, look?.helpers ?? []), timing.ttlMs, look?.dead ? look.helpers : []);
    moveAsideIfUnchanged(path, seen, me.token);
  }
  throw new DataDirLockedError(dataDir, 'several processes are taking it over at once', timing.ttlMs);
}

function holdLease(
  dataDir: string,
  path: string,
  fd: number,
  me: LeaseHolder,
  timing: LeaseTiming,
  now: () => number,
  onLost: DataDirLockOptions['onLost'],
): DataDirLock {
  heldByThisProcess.add(me.token);
  const ours = fstatSync(fd);
  let lost: DataDirLockLostError | null = null;
  let released = false;
  let lastCheck = now();

  const stop = () => {
    clearInterval(timer);
    heldByThisProcess.delete(me.token);
    closeSync(fd);
  };
  /** Confirms the lease is ours and refreshes it; on loss, stops and reports once. */
  const refresh = (): void => {
    if (released || lost) return;
    let problem = whyNotOurs(path, ours, me.token);
    if (problem === null) {
      try {
        touch(fd, now());
        lastCheck = now();
        return;
      } catch (error) {
        // A lease we cannot refresh goes stale and may be taken: stop now rather than then.
        problem = `its heartbeat cannot be written (${error instanceof Error ? error.message : String(error)})`;
      }
    }
    lost = new DataDirLockLostError(dataDir, problem);
    stop();
    onLost?.(lost);
  };
  /** Helpers running, with their start times where they can be read. */
  const helpers = new Map<number, string | null>();
  /** Writes the record again in the same file (same inode, same token), with the helpers now running. */
  const rewriteRecord = (): void => {
    if (released || lost) return;
    const startTicks = Object.fromEntries([...helpers].flatMap(([pid, ticks]) => (ticks === null ? [] : [[String(pid), ticks]])));
    const record: LeaseHolder = {
      ...me,
      ...(helpers.size > 0 && { helperPids: [...helpers.keys()] }),
      ...(Object.keys(startTicks).length > 0 && { helperStartTicks: startTicks }),
    };
    ftruncateSync(fd, 0);
    writeSync(fd, `${JSON.stringify(record)}\n`, 0);
    fsyncSync(fd);
    touch(fd, now());
  };
  const timer = setInterval(refresh, timing.heartbeatMs);
  // The lease must not keep a process alive that has nothing else to do.
  timer.unref();

  return {
    dataDir,
    path,
    holder: me,
    assertHeld() {
      if (!lost && !released && now() - lastCheck >= timing.heartbeatMs) refresh();
      if (lost) throw lost;
    },
    addHelper(pid) {
      helpers.set(pid, processStartTicks(pid));
      rewriteRecord();
      return {
        done() {
          if (helpers.delete(pid)) rewriteRecord();
        },
      };
    },
    release() {
      if (released || lost) return;
      released = true;
      // Remove the file only while it is still ours: after a takeover it belongs to the taker.
      if (whyNotOurs(path, ours, me.token) === null) unlinkQuietly(path);
      stop();
    },
  };
}

/** How long a start waits for a dead holder's store process to close the store and exit. */
export const ORPHAN_WAIT_MS = 60_000;

/**
 * `acquireDataDirLock`, except where the holder died and only its helpers still work in the
 * directory (its store process rolling back and closing the store: a restart right after a
 * crash). They exit on their own, so this waits for them, up to `maxWaitMs`, instead of refusing
 * a restart that a supervisor would then have to retry.
 */
export async function acquireDataDirLockAfterOrphans(dataDir: string, options: DataDirLockOptions = {}, maxWaitMs = ORPHAN_WAIT_MS): Promise<DataDirLock> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    try {
      return acquireDataDirLock(dataDir, options);
    } catch (error) {
      if (!(error instanceof DataDirLockedError) || error.orphanedHelpers.length === 0 || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/**
 * For a helper process (see `addHelper`): waits until the lease on `dataDir` names `pid` as a
 * helper, which its holder does right after starting it. False when the process that started it
 * (`parentPid`) is gone first, or after `timeoutMs`: a helper must not touch the directory before
 * the lease protects it, or a holder killed in between would leave it working unprotected.
 */
export async function waitUntilNamedInLease(dataDir: string, pid: number, parentPid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (leaseNamesHelper(dataDir, pid) === true) return true;
    if (process.ppid !== parentPid || !isAlive(parentPid)) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return false;
}

/**
 * Whether the lease on `dataDir` names `pid` as a helper now: false once a readable record names
 * others (taken over), null when no record can be read (missing, or caught while it is rewritten).
 */
export function leaseNamesHelper(dataDir: string, pid: number): boolean | null {
  const holder = readHolder(join(dataDir, LOCK_FILE_NAME));
  return holder === null ? null : (holder.helperPids ?? []).includes(pid);
}

/**
 * For a helper named in the lease: sets the lease file's mtime every heartbeat while the record
 * still names `pid`, so that a holder that died does not leave the lease to go stale (and be taken
 * over from another PID namespace) while the helper still works. Returns the stop.
 */
export function heartbeatAsHelper(dataDir: string, pid: number, heartbeatMs = DEFAULT_LEASE_TIMING.heartbeatMs): () => void {
  const path = join(dataDir, LOCK_FILE_NAME);
  const timer = setInterval(() => {
    if (leaseNamesHelper(dataDir, pid) !== true) return;
    const seconds = Date.now() / 1000;
    try {
      utimesSync(path, seconds, seconds);
    } catch {
      // removed meanwhile: the holder released it
    }
  }, heartbeatMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Null when `path` is still the file we created (same inode, our token), else what happened. */
function whyNotOurs(path: string, ours: Stats, token: string): string | null {
  let current: Stats;
  try {
    current = statSync(path);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return `its lease file ${path} was removed`;
    return `its lease file ${path} cannot be read (${error instanceof Error ? error.message : String(error)})`;
  }
  // While we hold our descriptor open, our inode cannot be freed and reused by a new file.
  const holder = current.ino === ours.ino && current.dev === ours.dev ? readHolder(path) : null;
  if (holder?.token === token) return null;
  const taker = readHolder(path);
  return `the lease was taken over by ${taker === null ? 'another process' : `pid ${taker.pid} on ${taker.host}`}`;
}

/**
 * Renames a stale lease aside (only one of several takers can) and deletes it, unless what was
 * moved is not what we judged stale (a new lease, or a heartbeat in between): then it goes back.
 */
function moveAsideIfUnchanged(path: string, seen: Stats, token: string): void {
  const aside = `${path}.stale-${token}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
    throw error;
  }
  const moved = statSync(aside);
  if (moved.ino === seen.ino && moved.dev === seen.dev && moved.mtimeMs === seen.mtimeMs) {
    unlinkQuietly(aside);
    return;
  }
  // `link` does not replace an existing file, so a lease created meanwhile is left alone; the
  // inode is the same, so the holder's own check still finds its file.
  try {
    linkSync(aside, path);
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) {
      // No hard links on this filesystem: rename it back unless a new lease is there already.
      if (statOrNull(path) === null) renameSync(aside, path);
      return;
    }
  }
  unlinkQuietly(aside);
}

/** What can be seen of a lease holder's processes from here, at one moment. */
interface HolderLook {
  /** It ran in our PID namespace on our boot (so its pids mean the same processes here) and is gone. */
  dead: boolean;
  /** Its helpers still running (seen only in its PID namespace; none elsewhere). */
  helpers: number[];
}

/** One look at the holder's processes: the caller decides from it alone, however they change meanwhile. */
function lookAtHolder(holder: LeaseHolder): HolderLook {
  if (!ranInOurPidNamespace(holder)) return { dead: false, helpers: [] };
  const helpers = runningHelpers(holder);
  return { dead: !isAnotherLiveProcess(holder.pid, holder.startTicks), helpers };
}

/** The holder's pids mean the same processes here: same PID namespace, same boot. */
function ranInOurPidNamespace(holder: LeaseHolder): boolean {
  return holder.pidNamespace !== null && holder.bootId !== null && holder.pidNamespace === PID_NAMESPACE && holder.bootId === BOOT_ID;
}

/** The holder's helpers still running (seen from our PID namespace, which the caller checked is the holder's). */
function runningHelpers(holder: LeaseHolder): number[] {
  return (holder.helperPids ?? []).filter((pid) => isAnotherLiveProcess(pid, holder.helperStartTicks?.[String(pid)]));
}

function describeHolder(holder: LeaseHolder | null, ageMs: number, helpers: readonly number[]): string {
  const heartbeat = `last heartbeat ${formatSeconds(ageMs)} ago`;
  if (holder === null) return `a process whose lease record is unreadable or still being written, ${heartbeat}`;
  const helping = helpers.length > 0 ? `, with its store process${helpers.length > 1 ? 'es' : ''} (pid ${helpers.join(', ')}) still working in the directory` : '';
  return (
    `pid ${holder.pid} on ${holder.host} (PID namespace ${holder.pidNamespace ?? 'unknown'}), ` +
    `holding it since ${holder.acquiredAt}, ${heartbeat}${helping}`
  );
}

function createExclusive(path: string): number | null {
  try {
    return openSync(path, 'wx', 0o644);
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return null;
    throw error;
  }
}

function touch(fd: number, nowMs: number): void {
  const seconds = nowMs / 1000;
  futimesSync(fd, seconds, seconds);
}

function readHolder(path: string): LeaseHolder | null {
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as Partial<LeaseHolder>;
    if (typeof record.token !== 'string' || typeof record.pid !== 'number' || typeof record.host !== 'string') return null;
    return {
      token: record.token,
      pid: record.pid,
      host: record.host,
      pidNamespace: typeof record.pidNamespace === 'string' ? record.pidNamespace : null,
      bootId: typeof record.bootId === 'string' ? record.bootId : null,
      acquiredAt: typeof record.acquiredAt === 'string' ? record.acquiredAt : 'unknown',
      ...(Array.isArray(record.helperPids) && { helperPids: record.helperPids.filter((pid): pid is number => Number.isInteger(pid) && pid > 0) }),
      ...(typeof record.startTicks === 'string' && { startTicks: record.startTicks }),
      ...(isStringRecord(record.helperStartTicks) && { helperStartTicks: record.helperStartTicks }),
    };
  } catch {
    return null;
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
}

/**
 * `pid` runs, is not this process (our own pid in a lease that is not ours was written by an
 * earlier process that had it), and, where the lease recorded when its process started, is still
 * that process: a start time that differs means the pid was freed and taken by another.
 */
function isAnotherLiveProcess(pid: number, startTicks?: string | null): boolean {
  if (pid === process.pid || !isAlive(pid)) return false;
  if (startTicks === undefined || startTicks === null) return true;
  const now = processStartTicks(pid);
  return now === null || now === startTicks;
}

/**
 * When process `pid` started: the 22nd field of `/proc/<pid>/stat`, in clock ticks since boot
 * (after the command name in parentheses, which may itself hold spaces and parentheses); null
 * where there is no /proc or the process is gone.
 */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is the stat's 3rd field (state); the start time is its 22nd.
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'string');
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

function readOrNull(read: () => string): string | null {
  try {
    return read();
  } catch {
    return null;
  }
}
