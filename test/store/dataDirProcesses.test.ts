import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataDirLockedError } from '../../src/store/dataDirErrors.ts';
import { openDatabase } from '../../src/store/openDatabase.ts';
import { startDataDirProcess } from './fixtures/startDataDirProcess.ts';

/** `unshare` gives the second process its own PID namespace, as a second container would have. */
const unshareWorks = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
/**
 * Skipped only off CI: CI runs as root with util-linux, where the cross-namespace tests must run,
 * so a machine that lost `unshare` fails there instead of passing quietly.
 */
const skipCrossNamespace = !unshareWorks && process.env.CI !== 'true';
const NO_UNSHARE = 'needs `unshare --pid --fork --mount-proc` (util-linux, run as root) to put a process in another PID namespace';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-lock-'));
  dirs.push(dir);
  return dir;
};

/** Starts the fixture (`startDataDirProcess`) and kills it after the test. */
function startChild(args: object, isolated: boolean) {
  const started = startDataDirProcess(args, isolated);
  children.push(started.child);
  return started;
}

describe('the data directory lock in one PID namespace', () => {
  it('takes over at once the lease of a SIGKILLed holder whose pid it can see is dead', { timeout: 90_000 }, async () => {
    const dir = join(tempDir(), 'pglite');
    // A long TTL: only the dead pid can explain an immediate takeover.
    const lease = { heartbeatMs: 200, ttlMs: 600_000 };
    const { child, firstLine } = startChild({ mode: 'hold', dir, lease }, false);
    expect((await firstLine).outcome).toBe('holding');
    const { firstLine: whileHeld } = startChild({ mode: 'try', dir, lease }, false);
    expect(await whileHeld).toMatchObject({ outcome: 'refused', name: 'ConfigError' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const db = await openDatabase({ dataDir: dir, lease });
    try {
      expect(db.opened).toBe('existing');
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM held_by_child')).rows).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
  });
});

describe('the data directory lock across PID namespaces', () => {
  it.skipIf(skipCrossNamespace)('refuses a process in another PID namespace while the holder keeps working', { timeout: 90_000 }, async () => {
    expect(unshareWorks, NO_UNSHARE).toBe(true);
    const dir = join(tempDir(), 'pglite');
    const db = await openDatabase({ dataDir: dir });
    try {
      await db.exec('CREATE TABLE kept (n int)');
      const { firstLine } = startChild({ mode: 'try', dir }, true);
      const answer = await firstLine;
      expect(answer.outcome).toBe('refused');
      expect(answer.message).toContain('SWITCHBOARD_DATA_DIR');
      expect(answer.message).toContain(`pid ${process.pid} on ${hostname()}`);
      // The holder's store is still its own and still works.
      await db.query('INSERT INTO kept VALUES (1), (2)');
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM kept')).rows).toEqual([{ n: 2 }]);
    } finally {
      await db.close();
    }
  });
  it.skipIf(skipCrossNamespace)('takes over the lease of a SIGKILLed holder in another PID namespace once the TTL has passed', { timeout: 90_000 }, async () => {
    expect(unshareWorks, NO_UNSHARE).toBe(true);
    const dir = join(tempDir(), 'pglite');
    const lease = { heartbeatMs: 200, ttlMs: 5_000 };
    const { child, firstLine } = startChild({ mode: 'hold', dir, lease }, true);
    expect((await firstLine).outcome).toBe('holding');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // Its pid means nothing here and its heartbeat is fresh: refused until the heartbeat is stale.
    await expect(openDatabase({ dataDir: dir, lease })).rejects.toBeInstanceOf(DataDirLockedError);
    const db = await vi.waitFor(() => openDatabase({ dataDir: dir, lease }), { timeout: 30_000, interval: 250 });
    try {
      expect(db.opened).toBe('existing');
      // What the killed holder committed is there.
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM held_by_child')).rows).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
  });

});
