import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQLError } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatGatewayError, STORE_UNAVAILABLE_MESSAGE } from '../../src/errors.ts';
import { StoreProcessExitedError } from '../../src/store/pgliteProcessClient.ts';
import { isStoreUnavailable } from '../../src/store/storeUnavailable.ts';
import pg from 'pg';
import { openTestPostgres, TEST_DATABASE_URL } from './testDatabases.ts';
import { errorBody } from '../../src/http/errorBody.ts';
import { answerRouteFailure } from '../../src/http/routeFailure.ts';
import { startLiveGateway } from '../sync/liveGateway.ts';
import { storeProcessIn } from './fixtures/storeProcesses.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What a client sees of an error a resolver threw (as graphql-js wraps it). */
const seen = (thrown: Error) => formatGatewayError({ message: thrown.message, path: ['field'] }, new GraphQLError(thrown.message, { originalError: thrown }));
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

// A store that was out of reach is worth retrying; a statement that failed on its own is not, and
// says nothing about the store. The first was INTERNAL_SERVER_ERROR like the second (eleventh
// session's probe: a client could not tell that a retry would do).
describe('a store out of reach', () => {
  it('is STORE_UNAVAILABLE to the client, whatever the driver said; a statement of its own failing stays internal', () => {
    const unavailable = [
      new StoreProcessExitedError('was ended by SIGKILL'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('connection failure', '08006'),
      // The database refusing connections (ALLOW_CONNECTIONS false), and too many of them: both were internal (an operator trial).
      withCode('database "switchboard" is not currently accepting connections', '55000'),
      withCode('sorry, too many clients already', '53300'),
      // A statement that outlasted SWITCHBOARD_DATABASE_STATEMENT_TIMEOUT_MS (behind another session's lock, say), and a connection not made in time.
      withCode('canceling statement due to statement timeout', '57014'),
      new Error('Connection terminated due to connection timeout'),
    ];
    for (const error of unavailable) {
      expect(seen(error)).toEqual({ message: STORE_UNAVAILABLE_MESSAGE, path: ['field'], extensions: { code: 'STORE_UNAVAILABLE' } });
    }
    for (const error of [
      withCode('duplicate key value violates unique constraint "batches_pkey"', '23505'),
      new Error('Connection refused by policy'),
      withCode('sequence "s" is not yet defined in this session', '55000'),
    ]) {
      expect(seen(error)).toEqual({ message: 'Internal server error', path: ['field'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    }
  });

  it('is a 503 with Retry-After on the HTTP routes (exports, webhooks), where anything else unexpected is a 500', async () => {
    const failures = [new StoreProcessExitedError('was ended by SIGKILL'), new Error('a bug')];
    const server = createServer((req, res) => answerRouteFailure(res, failures[Number(req.url?.slice(1))], errorBody));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const answers = await Promise.all(
      ['/0', '/1'].map(async (path) => {
        const response = await fetch(origin + path);
        return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
      }),
    );
    expect(answers).toEqual([
      // No word of mutations or idempotency keys, which a route has none of (an operator trial).
      { status: 503, retryAfter: '1', body: { errors: [{ message: "The gateway's store could not be reached or did not answer in time; retry the request after Retry-After", extensions: { code: 'STORE_UNAVAILABLE' } }] } },
      { status: 500, retryAfter: null, body: { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] } },
    ]);
  });

  it("answers the request whose statement its process died under with STORE_UNAVAILABLE, logs a warning, and serves the next", { timeout: 60_000 }, async () => {
    const parent = mkdtempSync(join(tmpdir(), 'switchboard-store-unavailable-'));
    cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
    const dir = join(parent, 'pglite');
    const gateway = await startLiveGateway({ store: { dataDir: dir } });
    cleanups.push(() => gateway.close());
    const syncStatus = () => gateway.query<{ syncStatus: { provider: string }[] }>('{ syncStatus { provider } }');
    expect((await syncStatus()).errors).toBeUndefined();
    const pid = storeProcessIn(dir);
    expect(pid).not.toBeNull();

    // Frozen, then killed with the request's statement sent to it and not answered.
    process.kill(pid!, 'SIGSTOP');
    const inFlight = syncStatus();
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(pid!, 'SIGKILL');
    const answer = await inFlight;
    expect(answer.data).toBeNull();
    expect(answer.errors).toEqual([{ message: STORE_UNAVAILABLE_MESSAGE, path: ['syncStatus'], locations: [{ line: 1, column: 3 }], extensions: { code: 'STORE_UNAVAILABLE' } }]);
    const logged = gateway.logLines.map((line) => JSON.parse(line) as { level: string; message: string });
    expect(logged.filter(({ level }) => level === 'warn' || level === 'error').map(({ level, message }) => `${level}: ${message}`)).toEqual([
      "warn: the embedded store's process was ended by SIGKILL; its statements in flight failed, and the next one starts it again",
      'warn: the store was unavailable while resolving a request',
    ]);
    // The warning names the request, so it joins the operation's access line (it did not: an operator trial).
    const accessLine = await vi.waitFor(() => {
      const lines = gateway.logLines.map((line) => JSON.parse(line) as { message: string; requestId?: string; errorCodes?: string[] });
      const found = lines.find(({ message, errorCodes }) => message === 'graphql operation' && errorCodes?.includes('STORE_UNAVAILABLE'));
      if (!found) throw new Error('no access line yet');
      return found;
    });
    const warning = logged.find(({ message }) => message === 'the store was unavailable while resolving a request') as { requestId?: string } | undefined;
    expect(warning?.requestId).toBe(accessLine.requestId);
    expect(accessLine.requestId).toMatch(/^[0-9a-f-]{36}$/);

    expect((await syncStatus()).data?.syncStatus.map((account) => account.provider)).toEqual(['ORATION', 'TRATA', 'VOICEOS']);
  });
});

describe.runIf(TEST_DATABASE_URL)('a PostgreSQL connection cut while a transaction holds it', () => {
  it('fails that transaction as STORE_UNAVAILABLE, and the process lives on to serve the next', async () => {
    // pg-pool listens for a client's errors only while it is idle: the cut raised an 'error' event
    // nobody listened for, which ends a Node process (two replicas died in an operator trial).
    const store = await openTestPostgres();
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      const failure = await store.db
        .transaction(async (tx) => {
          const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
          await new Promise((resolve) => setTimeout(resolve, 200)); // the cut reaches the client while it waits here
          await tx.query('SELECT 1');
        })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(isStoreUnavailable(failure)).toBe(true);
      expect((await store.db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await admin.end();
      await store.dispose();
    }
  });
});
