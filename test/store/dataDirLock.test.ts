import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE_NAME } from '../../src/store/dataDirLock.ts';
import { migrate } from '../../src/store/migrate.ts';
import { lockBudget } from '../../src/store/queries/budgets.ts';
import { openDatabase } from '../../src/store/openDatabase.ts';

const dirs: string[] = [];
const children: { kill(): boolean }[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-store-'));
  dirs.push(dir);
  return dir;
};

/** A process that stays alive until killed, to hold a lock. */
async function liveProcessPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  if (child.pid === undefined) throw new Error('no child pid');
  return child.pid;
}

describe('data directory lock', () => {
  it('is taken with our pid and released', () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir);
    expect(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8').trim()).toBe(String(process.pid));
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(false);
    acquireDataDirLock(dir).release();
  });

  it('refuses a directory another live process holds, naming it', async () => {
    const dir = tempDir();
    const pid = await liveProcessPid();
    writeFileSync(join(dir, LOCK_FILE_NAME), `${pid}\n`);
    let caught: unknown;
    try {
      acquireDataDirLock(dir);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DataDirLockedError);
    expect((caught as DataDirLockedError).holderPid).toBe(pid);
    expect((caught as Error).message).toContain(`process ${pid}`);
  });

  it('takes over the stale lock of a dead process', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    const deadPid = await new Promise<number>((resolve) => child.once('exit', () => resolve(child.pid ?? 0)));
    writeFileSync(join(dir, LOCK_FILE_NAME), `${deadPid}\n`);
    const lock = acquireDataDirLock(dir);
    expect(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8').trim()).toBe(String(process.pid));
    lock.release();
  });
});

describe('PGlite in a data directory', () => {
  it('keeps data across reopen and refuses a second open while held', async () => {
    const dir = join(tempDir(), 'data');
    const db = await openDatabase({ dataDir: dir });
    await expect(openDatabase({ dataDir: dir })).rejects.toBeInstanceOf(DataDirLockedError);
    await migrate(db);
    await db.query(`INSERT INTO budgets (budget_key, configured_limit, updated_at) VALUES ('ORATION:x', 7, now())`);
    await db.close();

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
  });
});
