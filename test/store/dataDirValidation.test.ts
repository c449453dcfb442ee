import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DATA_DIR } from '../../src/config.ts';
import { openDatabase } from '../../src/store/openDatabase.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const dirs: string[] = [];
const cwd = process.cwd();
afterEach(() => {
  process.chdir(cwd);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-datadir-'));
  dirs.push(dir);
  return dir;
};

/** The error `openDatabase` rejects with, or a failure if it opened. */
async function refusal(dataDir: string): Promise<Error> {
  let db;
  try {
    db = await openDatabase({ dataDir });
  } catch (error) {
    return error as Error;
  }
  await db.close();
  throw new Error(`${dataDir} was opened`);
}

describe('which data directories the embedded store opens', { timeout: 60_000 }, () => {
  it('creates a new store in a directory that does not exist yet, then opens it as existing', async () => {
    const dir = join(tempDir(), 'pglite');
    const created = await openDatabase({ dataDir: dir });
    expect(created.opened).toBe('new');
    await created.close();
    const reopened = await openDatabase({ dataDir: dir });
    expect(reopened.opened).toBe('existing');
    await reopened.close();
  });

  it('creates a new store in an empty directory', async () => {
    const db = await openDatabase({ dataDir: tempDir() });
    expect(db.opened).toBe('new');
    await db.close();
  });

  it('refuses a store whose PG_VERSION is missing and leaves its files as they were', async () => {
    const dir = join(tempDir(), 'pglite');
    const db = await openDatabase({ dataDir: dir });
    await db.exec('CREATE TABLE precious (n int); INSERT INTO precious VALUES (1)');
    await db.close();
    unlinkSync(join(dir, 'PG_VERSION'));
    const before = readdirSync(dir, { recursive: true }).sort();

    const error = await refusal(dir);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `SWITCHBOARD_DATA_DIR (${dir}) has files but is not a PGlite store: PG_VERSION is missing. ` +
        'Point SWITCHBOARD_DATA_DIR at the store, or at a directory that does not exist yet or is empty to start a new one; ' +
        'Switchboard never re-initialises a directory with files in it.',
    );
    expect(readdirSync(dir, { recursive: true }).sort()).toEqual(before);
  });

  it('refuses a directory of other files without writing to it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'not a store');
    const error = await refusal(dir);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`SWITCHBOARD_DATA_DIR (${dir}) has files but is not a PGlite store: PG_VERSION is missing.`);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('refuses a data directory whose parent does not exist (a mistyped path) and creates nothing', async () => {
    const root = tempDir();
    const dir = join(root, 'typo', 'pglite');
    const error = await refusal(dir);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `SWITCHBOARD_DATA_DIR (${dir}) does not exist and neither does its parent ${join(root, 'typo')}: ` +
        'a new store is created only in an existing directory, so a mistyped path cannot start an empty one.',
    );
    expect(readdirSync(root)).toEqual([]);
  });

  it('refuses a path that is a file', async () => {
    const file = join(tempDir(), 'pglite');
    writeFileSync(file, '');
    const error = await refusal(file);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(`SWITCHBOARD_DATA_DIR (${file}) is not a directory.`);
  });

  it(`creates the parent of the default ${DEFAULT_DATA_DIR}`, async () => {
    const root = tempDir();
    process.chdir(root);
    const db = await openDatabase({ dataDir: DEFAULT_DATA_DIR });
    expect(db.opened).toBe('new');
    await db.close();
    expect(existsSync(join(root, DEFAULT_DATA_DIR, 'PG_VERSION'))).toBe(true);
  });
});

describe('the gateway started on a bad data directory', { timeout: 60_000 }, () => {
  it('prints one clean line naming SWITCHBOARD_DATA_DIR, no stack, and exits 1', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'not-a-store'));
    writeFileSync(join(root, 'not-a-store', 'notes.txt'), '');
    const dir = join(root, 'not-a-store');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'error', PORT: '0', HOST: '127.0.0.1', SWITCHBOARD_DATA_DIR: dir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe(
      `SWITCHBOARD_DATA_DIR (${dir}) has files but is not a PGlite store: PG_VERSION is missing. ` +
        'Point SWITCHBOARD_DATA_DIR at the store, or at a directory that does not exist yet or is empty to start a new one; ' +
        'Switchboard never re-initialises a directory with files in it.\n',
    );
  });
});
