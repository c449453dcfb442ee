import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { openDatabase } from '../../src/store/openDatabase.ts';
import { isStoreUnavailable } from '../../src/store/storeUnavailable.ts';
import { dropTestSchema, TEST_DATABASE_URL } from './testDatabases.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const failureOf = (work: Promise<unknown>) =>
  work.then(
    () => null,
    (error: unknown) => error as Error & { code?: string },
  );

/** A server that takes TCP connections and never says a word: a PostgreSQL host that hangs. */
async function silentServer(): Promise<number> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as { port: number }).port;
}

describe('a PostgreSQL that takes the connection and never answers', () => {
  it('fails each statement as the store being out of reach once the connect timeout has passed, instead of hanging', async () => {
    // Before: no bound on making a connection, so every request that touched the store hung for ever.
    const port = await silentServer();
    const db = await openDatabase({ databaseUrl: `postgres://switchboard@127.0.0.1:${port}/switchboard`, connectTimeoutMs: 200 });
    cleanups.push(() => db.close());
    const failures = await Promise.all([failureOf(db.query('SELECT 1')), failureOf(db.transaction((tx) => tx.query('SELECT 1')))]);
    expect(failures.map((failure) => failure?.message)).toEqual(['Connection terminated due to connection timeout', 'Connection terminated due to connection timeout']);
    expect(failures.map(isStoreUnavailable)).toEqual([true, true]);
  });
});

describe.runIf(TEST_DATABASE_URL)('PostgreSQL statements under the statement timeout', () => {
  let schema: string;
  let db: Database;
  let admin: pg.Client;

  const open = async (statementTimeoutMs: number, pool: { maxConnections?: number; connectTimeoutMs?: number } = {}) => {
    schema = `sb_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, schema, statementTimeoutMs, ...pool });
    admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    cleanups.push(async () => {
      await admin.end();
      await db.close();
      await dropTestSchema(schema);
    });
  };

  it('cancels a statement stuck behind another session\'s lock, as the store being out of reach, and serves the next', async () => {
    await open(300);
    await migrate(db);
    await admin.query('BEGIN');
    await admin.query(`LOCK TABLE ${schema}.budgets IN ACCESS EXCLUSIVE MODE`);
    const stuck = await failureOf(db.query('SELECT count(*)::int AS n FROM budgets'));
    expect(stuck?.code).toBe('57014');
    expect(stuck?.message).toBe('canceling statement due to statement timeout');
    expect(isStoreUnavailable(stuck)).toBe(true);
    await admin.query('ROLLBACK');
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM budgets')).rows).toEqual([{ n: 0 }]);
  });

  it('lets a migration wait past it for another replica\'s migrations', async () => {
    // A replica starting while another one migrates waits on the migration lock; under a pool's
    // statement timeout of 300 ms that wait failed the start.
    await open(300);
    await admin.query(`SELECT pg_advisory_lock(hashtext('switchboard.migrate:' || $1))`, [schema]);
    const migrating = migrate(db);
    await new Promise((resolve) => setTimeout(resolve, 800));
    await admin.query(`SELECT pg_advisory_unlock(hashtext('switchboard.migrate:' || $1))`, [schema]);
    expect((await migrating).applied).toEqual(MIGRATIONS.map((migration) => migration.version));
    // The lifted timeout was the migration's own (SET LOCAL): the pool's statements keep theirs.
    expect((await db.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '300ms' }]);
  });

  it('bounds the wait for one of the pool\'s connections by the connect timeout too', async () => {
    await open(30_000, { maxConnections: 2, connectTimeoutMs: 300 });
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const holders = [0, 1].map(() => db.transaction(async (tx) => {
      await tx.query('SELECT 1');
      await held;
    }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const waited = await failureOf(db.query('SELECT 1'));
    expect(waited?.message).toBe('timeout exceeded when trying to connect');
    expect(isStoreUnavailable(waited)).toBe(true);
    release();
    await Promise.all(holders);
    expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
