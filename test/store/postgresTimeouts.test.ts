import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
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

/**
 * A TCP proxy to TEST_DATABASE_URL's server that can stop passing bytes either way: a server that
 * stopped answering on connections already open (hung, or behind a network that drops silently).
 */
async function freezableProxy(): Promise<{ url: string; freeze(): void; thaw(): void }> {
  const target = new URL(TEST_DATABASE_URL);
  const pairs: [Socket, Socket][] = [];
  let frozen = false;
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    pairs.push([client, upstream]);
    client.pipe(upstream);
    upstream.pipe(client);
    for (const socket of [client, upstream]) socket.on('error', () => {});
    if (frozen) for (const socket of [client, upstream]) socket.pause();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) for (const socket of pair) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const url = new URL(TEST_DATABASE_URL);
  url.host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  const setPaused = (paused: boolean) => {
    frozen = paused;
    for (const pair of pairs) for (const socket of pair) (paused ? socket.pause() : socket.resume());
  };
  return { url: url.href, freeze: () => setPaused(true), thaw: () => setPaused(false) };
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

  it('gives up on a statement whose answer never comes (a server that stopped answering), drops its connection and serves the next', async () => {
    // PostgreSQL's own timeout cancels nothing on a server that stopped answering: the statements
    // on its open connections waited for ever, each holding a request and a pool connection.
    const proxy = await freezableProxy();
    schema = `sb_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    db = await openDatabase({ databaseUrl: proxy.url, schema, statementTimeoutMs: 300, connectTimeoutMs: 2_000 });
    cleanups.push(async () => {
      proxy.thaw();
      await db.close();
      await dropTestSchema(schema);
    });
    await migrate(db);
    // Two connections open before the server stops answering: one for a statement, one for a transaction.
    await Promise.all([0, 1].map(() => db.transaction((tx) => tx.query('SELECT pg_sleep(0.05)'))));
    expect(db.poolStats?.()).toEqual({ max: 10, open: 2, idle: 2, waiting: 0 });
    proxy.freeze();
    const failures = await Promise.all([
      failureOf(db.query('SELECT count(*)::int AS n FROM budgets')),
      failureOf(db.transaction((tx) => tx.query('SELECT count(*)::int AS n FROM budgets'))),
    ]);
    expect(failures.map((failure) => failure?.message)).toEqual(['Query read timeout', 'Query read timeout']);
    expect(failures.map(isStoreUnavailable)).toEqual([true, true]);
    // Neither connection went back to the pool: both were waiting on a server that said nothing.
    expect(db.poolStats?.()).toEqual({ max: 10, open: 0, idle: 0, waiting: 0 });
    proxy.thaw();
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM budgets')).rows).toEqual([{ n: 0 }]);
  });

  it("keeps its settings when DATABASE_URL carries options of its own (pg let the URL's replace them)", async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', '-c search_path=public -c application_name=from_the_url');
    schema = `sb_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    db = await openDatabase({ databaseUrl: url.href, schema, statementTimeoutMs: 300 });
    cleanups.push(async () => {
      await db.close();
      await dropTestSchema(schema);
    });
    const { rows } = await db.query<{ schema: string; timeout: string; application: string }>(
      "SELECT current_schema() AS schema, current_setting('statement_timeout') AS timeout, current_setting('application_name') AS application",
    );
    expect(rows).toEqual([{ schema, timeout: '300ms', application: 'from_the_url' }]);
  });
});
