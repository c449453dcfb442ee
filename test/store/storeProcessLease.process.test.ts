import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/openDatabase.ts';
import { startDataDirProcess } from './fixtures/startDataDirProcess.ts';
import { isAlive, storeProcessIn } from './fixtures/storeProcesses.ts';

const dirs: string[] = [];
const processes: ChildProcess[] = [];
afterAll(() => {
  for (const child of processes) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Opens `dir` in a process of its own (the lock tests' fixture); resolves with what it printed. */
function openInProcess(dir: string) {
  const { child, firstLine } = startDataDirProcess({ mode: 'try', dir });
  processes.push(child);
  return { child, outcome: firstLine };
}

const waitFor = async <T>(what: string, check: () => T | null | false, timeoutMs = 60_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/**
 * The embedded store runs in a process of its own (initdb, the migrations, every statement). A
 * gateway SIGKILLed while it works leaves it closing the store in the directory, and the next start
 * took the dead holder's lease at once (its pid was dead) and started a second one on the same files.
 */
describe('a gateway killed while its store process works in the data directory', () => {
  it('leaves a lease nobody takes over until the child is done, and a restart that waits for it', { timeout: 120_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchboard-helper-'));
    dirs.push(root);
    const dir = join(root, 'pglite');

    const first = openInProcess(dir);
    first.outcome.catch(() => {}); // it is killed before it prints
    const orphan = await waitFor('the store process of a new store', () => storeProcessIn(dir));
    // The child touches nothing before the lease names it; then the parent dies.
    await waitFor('the lease to name the child', () => readFileSync(join(dir, 'switchboard.lock'), 'utf8').includes(`"helperPids":[${orphan}]`));
    const killed = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await killed;
    expect(isAlive(orphan)).toBe(true); // initdb takes seconds; the child outlives its parent

    // A restart right after the crash waits for the orphan to close the store, then takes the lease.
    const second = openInProcess(dir);
    const secondExited = new Promise((resolve) => second.child.once('exit', resolve));
    expect(await second.outcome).toEqual({ outcome: 'opened' });
    expect(isAlive(orphan)).toBe(false);
    await secondExited;

    const db = await openDatabase({ dataDir: dir });
    try {
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM batches')).rows).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
  });
});

describe('a gateway killed with a transaction open in its store process', () => {
  it('leaves the transaction rolled back, the store closed and the lease free once the store process exits', { timeout: 120_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchboard-helper-'));
    dirs.push(root);
    const dir = join(root, 'pglite');

    const { child, firstLine } = startDataDirProcess({ mode: 'mid-transaction', dir });
    processes.push(child);
    expect((await firstLine).outcome).toBe('holding');
    const storeProcess = storeProcessIn(dir);
    expect(storeProcess).not.toBeNull();
    const killed = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await killed;

    // Within seconds: rolling back and closing is quick (a queued BEGIN held it up for minutes).
    await waitFor('the store process to close the store and exit', () => !isAlive(storeProcess!), 8_000);
    const db = await openDatabase({ dataDir: dir });
    try {
      // The table was committed before; the row's transaction never ended, so it is not there, and
      // the one queued behind it was rolled back too (it started after the close began, and held
      // the close up for minutes: a helper's probe).
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM held_by_child')).rows).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
  });
});
