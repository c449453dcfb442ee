import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../src/logger.ts';
import type { Database } from '../../src/store/database.ts';
import { openDatabase } from '../../src/store/openDatabase.ts';
import { inProcessDatabase } from '../../src/store/pgliteDatabase.ts';
import { acquireDataDirLock, LOCK_FILE_NAME } from '../../src/store/dataDirLock.ts';
import { PgliteProcess, StoreProcessExitedError } from '../../src/store/pgliteProcessClient.ts';
import { storeProcessIn } from './fixtures/storeProcesses.ts';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

async function openInDirectory(idleMs = 60_000, logger?: Logger): Promise<{ db: Database; dir: string }> {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-store-process-'));
  roots.push(root);
  const dir = join(root, 'pglite');
  return { db: await openDatabase({ dataDir: dir, idleMs, ...(logger && { logger }) }), dir };
}

/** The process group a process is in (`/proc/<pid>/stat`, the field after the parent's pid). */
const processGroupOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);

const waitFor = async (what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const TYPES_SQL = `SELECT
  '2026-11-30T10:00:00.123456Z'::timestamptz AS at,
  12345678901234::bigint AS big,
  '12.3456789'::numeric AS amount,
  '{"a": [1, null, "x"], "b": {"c": true}}'::jsonb AS doc,
  '\\x00ff10'::bytea AS bytes,
  ARRAY['x', NULL, 'z']::text[] AS list,
  NULL::text AS nothing,
  $1::text AS echoed,
  $2::timestamptz AS echoed_at`;
const TYPES_PARAMS = ['naïve ✓', new Date('2026-01-02T03:04:05.678Z')];

// The embedded store in a data directory runs in a process of its own (pgliteProcessClient.ts):
// through it every statement must answer exactly as PGlite in this process does.
describe('the embedded store in its own process', { timeout: 60_000 }, () => {
  let store: { db: Database; dir: string };
  beforeAll(async () => {
    store = await openInDirectory();
    await store.db.exec('CREATE TABLE things (id int PRIMARY KEY, label text NOT NULL)');
  });
  afterAll(async () => {
    await store.db.close();
  });

  it('gives rows, types and parameters back exactly as PGlite in this process does', async () => {
    const inProcess = inProcessDatabase(await PGlite.create());
    try {
      const expected = await inProcess.query(TYPES_SQL, TYPES_PARAMS);
      const actual = await store.db.query(TYPES_SQL, TYPES_PARAMS);
      expect(actual).toEqual(expected);
      expect(actual.rows[0]?.['bytes']).toBeInstanceOf(Uint8Array);
      expect(actual.rows[0]?.['at']).toBeInstanceOf(Date);
    } finally {
      await inProcess.close();
    }
  });

  it('counts the rows a statement changed', async () => {
    await store.db.query('INSERT INTO things VALUES (1, $1), (2, $2)', ['one', 'two']);
    expect((await store.db.query('UPDATE things SET label = label || $1', ['!'])).rowCount).toBe(2);
    await store.db.query('DELETE FROM things');
  });

  it("keeps PostgreSQL's error fields: the SQLSTATE code, the constraint, the message", async () => {
    await store.db.query('INSERT INTO things VALUES (7, $1)', ['seven']);
    const error = await store.db.query('INSERT INTO things VALUES (7, $1)', ['again']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: '23505', constraint: 'things_pkey', message: 'duplicate key value violates unique constraint "things_pkey"' });
    await store.db.query('DELETE FROM things');
  });

  it('commits a transaction that resolves and rolls back one that throws, with its error', async () => {
    const committed = await store.db.transaction(async (tx) => {
      await tx.query('INSERT INTO things VALUES (10, $1)', ['kept']);
      return (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM things')).rows[0]?.n;
    });
    expect(committed).toBe(1);
    const refusal = new Error('changed my mind');
    await expect(
      store.db.transaction(async (tx) => {
        await tx.query('INSERT INTO things VALUES (11, $1)', ['dropped']);
        throw refusal;
      }),
    ).rejects.toBe(refusal);
    expect((await store.db.query('SELECT id FROM things ORDER BY id')).rows).toEqual([{ id: 10 }]);
    await store.db.query('DELETE FROM things');
  });

  it('holds other statements back while a transaction is open, as PGlite does with one connection', async () => {
    const order: string[] = [];
    let inside: () => void = () => {};
    const entered = new Promise<void>((resolve) => (inside = resolve));
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const transaction = store.db.transaction(async (tx) => {
      await tx.query('INSERT INTO things VALUES (20, $1)', ['in transaction']);
      inside();
      await finished;
      order.push('transaction ends');
    });
    await entered;
    const outside = store.db.query<{ id: number }>('SELECT id FROM things').then((result) => {
      order.push('outside answered');
      return result.rows;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(order).toEqual([]);
    finish();
    await transaction;
    expect(await outside).toEqual([{ id: 20 }]);
    expect(order).toEqual(['transaction ends', 'outside answered']);
    await store.db.query('DELETE FROM things');
  });
});

describe('the store process, stopped and ended', { timeout: 60_000 }, () => {
  it('stops once idle, and the next statement starts it again with everything committed', async () => {
    const { db, dir } = await openInDirectory(200);
    try {
      // Start-up (migrations, the look for unfinished work) found no batch: the process is stopped already.
      expect(db.isRunning?.()).toBe(false);
      expect(storeProcessIn(dir)).toBeNull();
      await db.exec('CREATE TABLE notes (body text)');
      await db.query('INSERT INTO notes VALUES ($1)', ['written before the stop']);
      const first = storeProcessIn(dir);
      expect(first).not.toBeNull();
      await waitFor('the idle process to stop', () => db.isRunning?.() === false && storeProcessIn(dir) === null);

      expect((await db.query('SELECT body FROM notes')).rows).toEqual([{ body: 'written before the stop' }]);
      const second = storeProcessIn(dir);
      expect(second).not.toBeNull();
      expect(second).not.toBe(first);
    } finally {
      await db.close();
    }
    expect(storeProcessIn(dir)).toBeNull();
  });

  it('fails the statements in flight when the process dies, says so in the gateway\'s log, and starts a new one for the next', async () => {
    const lines: string[] = [];
    const { db, dir } = await openInDirectory(60_000, createLogger('info', (line) => lines.push(line)));
    try {
      await db.exec('CREATE TABLE notes (body text)');
      await db.query('INSERT INTO notes VALUES ($1)', ['committed']);
      const pid = storeProcessIn(dir);
      expect(pid).not.toBeNull();
      const inFlight = db.query('SELECT pg_sleep(5)').catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 200));
      process.kill(pid!, 'SIGKILL');
      const error = await inFlight;
      expect(error).toBeInstanceOf(StoreProcessExitedError);
      expect((error as Error).message).toBe("the embedded store's process was ended by SIGKILL before the statement was answered");
      // One JSON line in the gateway's log, not a plain line on stderr beside it.
      expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>).map(({ level, message }) => ({ level, message }))).toEqual([
        { level: 'warn', message: "the embedded store's process was ended by SIGKILL; its statements in flight failed, and the next one starts it again" },
      ]);

      expect((await db.query('SELECT body FROM notes')).rows).toEqual([{ body: 'committed' }]);
      expect(storeProcessIn(dir)).not.toBe(pid);
    } finally {
      await db.close();
    }
  });

  it("runs in a process group of its own, which a terminal's Ctrl-C (SIGINT to the foreground group) does not reach", async () => {
    // Found by a Ctrl-C while a sync pass was starting the store: the SIGINT reached the process
    // before it set its handlers, and ended it under the gateway.
    const { db, dir } = await openInDirectory();
    try {
      await db.query('SELECT 1');
      const pid = storeProcessIn(dir);
      expect(pid).not.toBeNull();
      expect(processGroupOf(pid!)).toBe(pid);
      expect(processGroupOf(pid!)).not.toBe(processGroupOf(process.pid));
    } finally {
      await db.close();
    }
  });

  it('keeps working through a SIGINT or SIGTERM sent to it (the gateway closes it)', async () => {
    const { db, dir } = await openInDirectory();
    try {
      await db.exec('CREATE TABLE notes (body text)');
      const pid = storeProcessIn(dir);
      expect(pid).not.toBeNull();
      process.kill(pid!, 'SIGINT');
      process.kill(pid!, 'SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await db.query('INSERT INTO notes VALUES ($1)', ['after the signals']);
      expect((await db.query('SELECT body FROM notes')).rows).toEqual([{ body: 'after the signals' }]);
      expect(storeProcessIn(dir)).toBe(pid);
    } finally {
      await db.close();
    }
  });

  it('closes only after the transaction in progress has ended, which commits', async () => {
    const { db, dir } = await openInDirectory();
    await db.exec('CREATE TABLE notes (body text)');
    const transaction = db.transaction(async (tx) => {
      await tx.query('INSERT INTO notes VALUES ($1)', ['committed while closing']);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx.query('INSERT INTO notes VALUES ($1)', ['the second statement too']);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all([transaction, db.close()]);
    const reopened = await openDatabase({ dataDir: dir });
    try {
      expect((await reopened.query('SELECT body FROM notes ORDER BY body')).rows).toEqual([{ body: 'committed while closing' }, { body: 'the second statement too' }]);
    } finally {
      await reopened.close();
    }
  });

  it('exits without touching the store when the lease names others (taken over while it was stopped)', async () => {
    // A store process SIGSTOPped past the lease's TTL, then resumed after another gateway took the
    // directory over, went on answering, and closed the store (a checkpoint) in a directory in
    // another PGlite's use (a helper's probe).
    const root = mkdtempSync(join(tmpdir(), 'switchboard-store-process-'));
    roots.push(root);
    const dir = join(root, 'pglite');
    await (await openDatabase({ dataDir: dir })).close(); // a store to open
    // The parent's own heartbeat far apart, so that only the store process can notice the takeover.
    const lock = acquireDataDirLock(dir, { lease: { heartbeatMs: 60_000, ttlMs: 120_000 }, onLost: () => {} });
    const store = new PgliteProcess({ dir, lease: lock, idleMs: 60_000 });
    try {
      expect((await store.query<{ one: number }>('SELECT 1 AS one', undefined)).rows).toEqual([{ one: 1 }]);
      const pid = storeProcessIn(dir);
      writeFileSync(join(dir, LOCK_FILE_NAME), `${JSON.stringify({ token: 'taker', pid: 4242, host: 'other', pidNamespace: null, bootId: null, acquiredAt: new Date().toISOString() })}\n`);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const refused = await store.query('SELECT 1', undefined).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(StoreProcessExitedError);
      expect((refused as Error).message).toBe("the embedded store's process exited with code 1 before the statement was answered");
      expect(storeProcessIn(dir)).not.toBe(pid);
    } finally {
      store.kill();
      lock.release();
    }
  });

  it('refuses statements once closed rather than starting the process again', async () => {
    const { db, dir } = await openInDirectory();
    await db.query('SELECT 1');
    await db.close();
    expect(storeProcessIn(dir)).toBeNull();
    await expect(db.query('SELECT 1')).rejects.toThrow('the embedded store is closed');
    expect(storeProcessIn(dir)).toBeNull();
  });
});
