import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startDemoEnvironment } from '../../src/demo/demoEnvironment.ts';
import { DataDirLockedError, DataDirLockLostError, unwritableDataDir } from '../../src/store/dataDirErrors.ts';
import { acquireDataDirLock, acquireDataDirLockAfterOrphans, heartbeatAsHelper, LOCK_FILE_NAME, type LeaseHolder } from '../../src/store/dataDirLock.ts';
import { migrate } from '../../src/store/migrate.ts';
import { lockBudget } from '../../src/store/queries/budgets.ts';
import { openDatabase } from '../../src/store/openDatabase.ts';
import { isAlive, storeProcessIn } from './fixtures/storeProcesses.ts';

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-store-'));
  dirs.push(dir);
  return dir;
};

const LEASE = { heartbeatMs: 1_000, ttlMs: 5_000 };
/** A whole second, so file times hold it exactly. */
const T = 1_800_000_000_000;

const readLease = (dir: string) => JSON.parse(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8')) as LeaseHolder;
/** To the millisecond: file times are stored in nanoseconds, so a float may come back a hair off. */
const leaseMtime = (dir: string) => Math.round(statSync(join(dir, LOCK_FILE_NAME)).mtimeMs);

/** A lease written by a process this one cannot see: another PID namespace, maybe another host. */
function writeForeignLease(dir: string, heartbeatAt: number, pid = 4242): void {
  const holder: LeaseHolder = {
    token: 'foreign-token',
    pid,
    host: 'other-container',
    pidNamespace: 'pid:[4026532999]',
    bootId: 'another-boot',
    acquiredAt: new Date(heartbeatAt).toISOString(),
  };
  writeFileSync(join(dir, LOCK_FILE_NAME), `${JSON.stringify(holder)}\n`);
  utimesSync(join(dir, LOCK_FILE_NAME), heartbeatAt / 1000, heartbeatAt / 1000);
}

/** A lease written by a holder of this PID namespace and boot that crashed (a restart finds it fresh). */
function writeCrashedLease(dir: string, holder: Pick<LeaseHolder, 'pid'> & Partial<LeaseHolder>): void {
  const record: LeaseHolder = {
    token: 'crashed-token',
    host: 'this-host',
    pidNamespace: readlinkSync('/proc/self/ns/pid'),
    bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
    acquiredAt: new Date().toISOString(),
    ...holder,
  };
  writeFileSync(join(dir, LOCK_FILE_NAME), `${JSON.stringify(record)}\n`);
}

/** Takes the lease on `dir` and checks it is now ours. */
function expectTakenAtOnce(dir: string): void {
  const lock = acquireDataDirLock(dir, { lease: LEASE });
  expect(readLease(dir).token).toBe(lock.holder.token);
  lock.release();
}

function thrownBy(work: () => unknown): Error {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
}

describe('data directory lease', () => {
  it('is taken with a random token per process, refused to a second open here, and released', () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir);
    const record = readLease(dir);
    expect(record).toEqual(lock.holder);
    expect(record.pid).toBe(process.pid);
    expect(record.token).toMatch(/^[0-9a-f-]{36}$/);
    const second = thrownBy(() => acquireDataDirLock(dir));
    expect(second).toBeInstanceOf(DataDirLockedError);
    expect(second.message).toContain(`in use by another Switchboard process: this process (pid ${process.pid} on `);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(false);
    const again = acquireDataDirLock(dir);
    expect(again.holder.token).not.toBe(record.token);
    again.release();
  });

  it('refuses a fresh lease whose holder pid it cannot see (another PID namespace), naming the holder', () => {
    const dir = tempDir();
    // pid 4242 does not exist here; a pid file lock would take this over.
    writeForeignLease(dir, T);
    const error = thrownBy(() => acquireDataDirLock(dir, { lease: LEASE, now: () => T + 1_000 }));
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect(error.message).toBe(
      `SWITCHBOARD_DATA_DIR (${dir}) is in use by another Switchboard process: pid 4242 on other-container ` +
        `(PID namespace pid:[4026532999]), holding it since ${new Date(T).toISOString()}, last heartbeat 1 s ago. ` +
        'PGlite serves one process only: stop that process, point SWITCHBOARD_DATA_DIR at another directory, ' +
        'or set DATABASE_URL to share a PostgreSQL database. A holder that died is taken over once its heartbeat is more than 5 s old.',
    );
    expect(readLease(dir).token).toBe('foreign-token');
  });

  it('takes over a lease only once its heartbeat is older than the TTL', () => {
    const dir = tempDir();
    writeForeignLease(dir, T);
    expect(thrownBy(() => acquireDataDirLock(dir, { lease: LEASE, now: () => T + LEASE.ttlMs }))).toBeInstanceOf(DataDirLockedError);
    const lock = acquireDataDirLock(dir, { lease: LEASE, now: () => T + LEASE.ttlMs + 1 });
    expect(readLease(dir).token).toBe(lock.holder.token);
    expect(leaseMtime(dir)).toBe(T + LEASE.ttlMs + 1);
    lock.release();
  });

  it('refreshes its heartbeat every heartbeatMs', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const dir = tempDir();
    let now = T;
    const lock = acquireDataDirLock(dir, { lease: LEASE, now: () => now });
    expect(leaseMtime(dir)).toBe(T);
    now = T + 1_000;
    vi.advanceTimersByTime(999);
    expect(leaseMtime(dir)).toBe(T);
    vi.advanceTimersByTime(1);
    expect(leaseMtime(dir)).toBe(T + 1_000);
    lock.release();
  });

  it('notices on its next heartbeat that the lease was taken over, reports it once and leaves the new lease alone', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const dir = tempDir();
    const lost: DataDirLockLostError[] = [];
    const lock = acquireDataDirLock(dir, { lease: LEASE, onLost: (error) => lost.push(error) });
    unlinkSync(join(dir, LOCK_FILE_NAME));
    writeForeignLease(dir, Date.now());
    vi.advanceTimersByTime(LEASE.heartbeatMs * 3);
    expect(lost.map((error) => error.message)).toEqual([
      `Switchboard lost the lease on SWITCHBOARD_DATA_DIR (${dir}): the lease was taken over by pid 4242 on other-container. ` +
        'Another process may be using the store, so this one stops instead of writing to it.',
    ]);
    expect(() => lock.assertHeld()).toThrow(DataDirLockLostError);
    lock.release();
    expect(readLease(dir).token).toBe('foreign-token');
  });
});

describe('PGlite in a data directory', () => {
  // Each test opens PGlite two or three times (about 5 s each on a 2-core machine, more under load).
  it('keeps data across reopen and refuses a second open while held', async () => {
    const dir = join(tempDir(), 'data');
    const db = await openDatabase({ dataDir: dir });
    await expect(openDatabase({ dataDir: dir })).rejects.toBeInstanceOf(DataDirLockedError);
    await migrate(db);
    await db.query(`INSERT INTO budgets (budget_key, configured_limit, updated_at) VALUES ('ORATION:x', 7, now())`);
    await db.close();
    expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(false);

    const reopened = await openDatabase({ dataDir: dir });
    try {
      expect((await migrate(reopened)).applied).toEqual([]);
      const { rows } = await reopened.query<{ configured_limit: number }>('SELECT configured_limit FROM budgets');
      expect(rows).toEqual([{ configured_limit: 7 }]);
      // The advisory transaction lock the budget claim relies on works on PGlite too.
      const held = await reopened.transaction(async (tx) => {
        await lockBudget(tx, 'ORATION:x');
        return tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`);
      });
      expect(held.rows).toEqual([{ n: 1 }]);
    } finally {
      await reopened.close();
    }
  }, 90_000);

  it('stops answering queries once its lease is lost, and does not touch the new holder\'s lease on close', async () => {
    const dir = join(tempDir(), 'data');
    const lost: DataDirLockLostError[] = [];
    const db = await openDatabase({ dataDir: dir, lease: { heartbeatMs: 50, ttlMs: 1_000 }, onLockLost: (error) => lost.push(error) });
    await db.exec('CREATE TABLE t (n int)');
    const storeProcess = storeProcessIn(dir);
    expect(storeProcess).not.toBeNull();
    unlinkSync(join(dir, LOCK_FILE_NAME));
    writeForeignLease(dir, Date.now());
    await vi.waitFor(() => expect(lost.length).toBe(1), { timeout: 5_000 });
    // The store's process is ended with the lease (SIGKILL: a close would write a checkpoint).
    await vi.waitFor(() => expect(isAlive(storeProcess!)).toBe(false), { timeout: 5_000 });
    await expect(db.query('INSERT INTO t VALUES (1)')).rejects.toBeInstanceOf(DataDirLockLostError);
    await expect(db.transaction(async () => 1)).rejects.toBeInstanceOf(DataDirLockLostError);
    await db.close();
    expect(readLease(dir).token).toBe('foreign-token');
  }, 90_000);
});

describe('a helper named in the lease', () => {
  it('is written into the record while it runs, and keeps the lease fresh only while it is named', async () => {
    const dir = tempDir();
    // The holder's own heartbeat far apart, so that only the helpers can touch the file here.
    const lock = acquireDataDirLock(dir, { lease: { heartbeatMs: 60_000, ttlMs: 120_000 } });
    try {
      const helper = lock.addHelper(424_242);
      expect(readLease(dir).helperPids).toEqual([424_242]);
      expect(readLease(dir).token).toBe(lock.holder.token);

      // As if the holder had died an hour ago: only the helper's heartbeat can freshen the lease.
      const hourAgo = (Date.now() - 3_600_000) / 1000;
      utimesSync(join(dir, LOCK_FILE_NAME), hourAgo, hourAgo);
      const stopNamed = heartbeatAsHelper(dir, 424_242, 20);
      const stopUnnamed = heartbeatAsHelper(dir, 515_151, 20);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(Date.now() - leaseMtime(dir)).toBeLessThan(1_000);

      helper.done();
      expect(readLease(dir).helperPids).toBeUndefined();
      stopNamed();
      utimesSync(join(dir, LOCK_FILE_NAME), hourAgo, hourAgo);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // An unnamed process never touches the lease.
      expect(leaseMtime(dir)).toBe(Math.round(hourAgo * 1000));
      stopUnnamed();
    } finally {
      lock.release();
    }
  });
});

describe('a restart right after a crash', () => {
  // pid_max is 32768 on these machines: pids far above it belong to no process, so only the spy
  // below says whether they live.
  const DEAD_HOLDER = 9_000_001;
  const CLOSING_HELPER = 9_000_002;

  it('takes the lease once the dead holder\'s store process exits, even when that exit falls between two of its looks', async () => {
    // Seen in CI (chaos test): the restarted gateway judged the lease fresh because the helper
    // still ran, then, building its refusal, found the helper gone, so the refusal named no helper
    // to wait for and the restart exited 1 instead of waiting a moment and taking the lease.
    const dir = tempDir();
    writeCrashedLease(dir, { pid: DEAD_HOLDER, helperPids: [CLOSING_HELPER] });
    let helperLooks = 0;
    const realKill = process.kill.bind(process);
    vi.spyOn(process, 'kill').mockImplementation((pid: number, signal?: string | number) => {
      // The helper is alive at the first look and gone from the second on.
      if (pid === CLOSING_HELPER && helperLooks++ === 0) return true;
      if (pid === DEAD_HOLDER || pid === CLOSING_HELPER) throw Object.assign(new Error(`kill ESRCH`), { code: 'ESRCH' });
      return realKill(pid, signal);
    });
    try {
      const lock = await acquireDataDirLockAfterOrphans(dir, { lease: LEASE }, 2_000);
      expect(readLease(dir).token).toBe(lock.holder.token);
      lock.release();
    } finally {
      vi.restoreAllMocks();
    }
  });
});

describe('a lease whose pids were taken by other processes since', () => {
  // pid_max is 32768 on these machines: a crashed holder's pid, or its store process's, may run
  // another process by the time the gateway restarts. Judged by the pid alone, that restart was
  // refused (the holder "alive") or waited a minute (its store process "still closing").
  // A process that runs, and is neither the holder nor its helper: this one's parent.
  const otherProcess = process.ppid;

  it('takes over at once a fresh lease whose holder pid now runs another process', () => {
    const dir = tempDir();
    writeCrashedLease(dir, { pid: otherProcess, startTicks: '1' });
    expectTakenAtOnce(dir);
  });

  it('does not wait for a store process whose pid now runs another process', () => {
    const dir = tempDir();
    writeCrashedLease(dir, { pid: 9_000_001, helperPids: [otherProcess], helperStartTicks: { [String(otherProcess)]: '1' } });
    expectTakenAtOnce(dir);
  });

  it('records when the holder and each helper started, and still refuses a live holder', () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir, { lease: { heartbeatMs: 60_000, ttlMs: 120_000 } });
    try {
      const ticks = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
      lock.addHelper(otherProcess);
      expect(readLease(dir)).toEqual({ ...lock.holder, startTicks: ticks(process.pid), helperPids: [otherProcess], helperStartTicks: { [String(otherProcess)]: ticks(otherProcess) } });
      expect(thrownBy(() => acquireDataDirLock(dir))).toBeInstanceOf(DataDirLockedError);
    } finally {
      lock.release();
    }
  });
});

describe('two demo gateways on one SWITCHBOARD_DATA_DIR (npm start twice)', () => {
  it('refuses the second as the store would, naming the setting and the holder, not the simulator', async () => {
    // The demo's Oration simulator takes its state directory (beside the data directory) first:
    // the second start failed with the simulator's own error and a stack, never naming the setting.
    const dataDir = join(tempDir(), 'pglite');
    const { env } = loadConfig({ NODE_ENV: 'test', SWITCHBOARD_DATA_DIR: dataDir });
    const first = await startDemoEnvironment(env);
    try {
      const second = await startDemoEnvironment(env).then(
        () => null,
        (error: unknown) => error,
      );
      expect(second).toBeInstanceOf(DataDirLockedError);
      expect((second as Error).message).toMatch(
        new RegExp(`^SWITCHBOARD_DATA_DIR \\(${dataDir.replaceAll(/[/.]/g, '\\$&')}\\) is in use by another Switchboard process: this process \\(pid ${process.pid} on `),
      );
    } finally {
      await first.close();
    }
  });
});

describe('a data directory the store cannot write', () => {
  const errno = (code: string) => Object.assign(new Error(`${code}: it failed`), { code });

  it('is refused as SWITCHBOARD_DATA_DIR, with why, instead of Node\'s errno and a stack', () => {
    // A read-only copy of a store printed `EROFS: read-only file system, open '…/switchboard.lock'`
    // with nine stack frames, naming no setting (an operator trial).
    const refusal = (code: string) => unwritableDataDir('/srv/store', errno(code))?.message ?? null;
    expect(['EROFS', 'EACCES', 'EPERM', 'ENOSPC', 'EDQUOT', 'EMFILE'].map(refusal)).toEqual([
      'SWITCHBOARD_DATA_DIR (/srv/store) is on a read-only file system: the embedded store writes there. Point SWITCHBOARD_DATA_DIR at a writable directory, or set DATABASE_URL.',
      'SWITCHBOARD_DATA_DIR (/srv/store) is not writable by this user: the embedded store writes there. Point SWITCHBOARD_DATA_DIR at a writable directory, or set DATABASE_URL.',
      'SWITCHBOARD_DATA_DIR (/srv/store) is not writable by this user: the embedded store writes there. Point SWITCHBOARD_DATA_DIR at a writable directory, or set DATABASE_URL.',
      'SWITCHBOARD_DATA_DIR (/srv/store) has no space left: the embedded store writes there. Point SWITCHBOARD_DATA_DIR at a writable directory, or set DATABASE_URL.',
      'SWITCHBOARD_DATA_DIR (/srv/store) has no space left: the embedded store writes there. Point SWITCHBOARD_DATA_DIR at a writable directory, or set DATABASE_URL.',
      null,
    ]);
    expect(unwritableDataDir('/srv/store', errno('EROFS'))).toBeInstanceOf(ConfigError);
    expect(unwritableDataDir('/srv/store', errno('EROFS'))?.why).toBe('is on a read-only file system');
  });
});
