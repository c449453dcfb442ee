import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startGatewayRuntime } from '../../src/gatewayRuntime.ts';
import { createLogger } from '../../src/logger.ts';
import { createOrationSimulator, type OrationSimulator } from '../../src/simulators/oration/orationSimulator.ts';
import { DEMO_ACCOUNT, phoneCalls } from '../fanout/fanoutHarness.ts';
import { freePort, SHORT_ANSWERED_CALLS, spawnGateway, writeWorkspacesFile } from '../fanout/gatewayProcess.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openDatabase } from '../../src/store/openDatabase.ts';
import { dropTestSchema, TEST_DATABASE_URL } from '../store/testDatabases.ts';

// Issue 7, finding 7: two ways the gateway failed to start with a raw stack instead of saying
// which setting to fix. Both run `src/main.ts` as a real process, as `npm start` does.

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CREATE = 'POST /api/v2/conversations';
const API_KEY = 'startup-test-key-0123456789';

/** Runs the gateway with exactly `env` (plus PATH) until it exits; a start that does not exit is killed. */
function runUntilExit(env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-startup-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('an unreachable DATABASE_URL', () => {
  it('stops the start with one line naming DATABASE_URL, never its password, and exit code 1', async () => {
    // Port 9 (discard), where nothing listens here, as the unreachable providers of other tests:
    // a port that was merely free a moment ago was once taken by another test's server before the
    // gateway connected (seen in CI: "Connection terminated unexpectedly" instead of ECONNREFUSED).
    const closedPort = 9;
    const { code, stderr } = await runUntilExit({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(await freePort()),
      DATABASE_URL: `postgres://switchboard:hunter2-secret@127.0.0.1:${closedPort}/switchboard`,
      // The demo's simulators keep their state beside the data directory: not the checkout's .data,
      // which a demo started from the same checkout holds (a new-user trial ran npm test beside npm start).
      SWITCHBOARD_DATA_DIR: join(dir, 'unreachable-database'),
    });
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('DATABASE_URL');
    expect(lines[0]).toContain(`127.0.0.1:${closedPort}`);
    expect(lines[0]).toContain('ECONNREFUSED');
    expect(stderr).not.toContain('hunter2-secret');
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});

describe('a DATABASE_URL whose server takes the connection and never answers', () => {
  // With a schema, the first connection is a lone client's (it creates the schema), whose timeout
  // pg words differently ("timeout expired"): that line named no setting (an operator trial).
  it.each<Record<string, string>>([{}, { SWITCHBOARD_DATABASE_SCHEMA: 'switchboard_trial' }])('stops the start after SWITCHBOARD_DATABASE_CONNECT_TIMEOUT_MS with one line naming both settings (%o)', async (schema) => {
    // Before, nothing bounded the wait: the start hung for ever, saying nothing.
    const held: Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const { code, stderr } = await runUntilExit(
        {
          NODE_ENV: 'test',
          LOG_LEVEL: 'warn',
          PORT: String(await freePort()),
          DATABASE_URL: `postgres://switchboard:hunter2-secret@127.0.0.1:${port}/switchboard`,
          SWITCHBOARD_DATABASE_CONNECT_TIMEOUT_MS: '500',
          SWITCHBOARD_DATA_DIR: join(dir, 'silent-database'),
          ...schema,
        },
        30_000,
      );
      expect({ code, stderr }).toEqual({
        code: 1,
        stderr:
          `Cannot open the store in DATABASE_URL (postgres://127.0.0.1:${port}/switchboard): no connection within 500 ms ` +
          '(SWITCHBOARD_DATABASE_CONNECT_TIMEOUT_MS): nothing there answered in time. Check that PostgreSQL runs there and accepts this URL.\n',
      });
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe.runIf(TEST_DATABASE_URL)('a statement of the start stuck behind another session\'s lock', () => {
  it('stops the start after SWITCHBOARD_DATABASE_STATEMENT_TIMEOUT_MS with one line naming it, not a stack', async () => {
    // An operator trial: pg's "canceling statement due to statement timeout" and its stack.
    // A store migrated beforehand: the start's own statements, not its migrations, meet the lock.
    const schema = `sb_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const store = await openDatabase({ databaseUrl: TEST_DATABASE_URL, schema });
    await migrate(store);
    await store.close();
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query('BEGIN');
      await admin.query(`LOCK TABLE ${schema}.batch_items IN ACCESS EXCLUSIVE MODE`);
      const url = new URL(TEST_DATABASE_URL);
      const { code, stderr } = await runUntilExit(
        {
          NODE_ENV: 'test',
          LOG_LEVEL: 'error',
          PORT: String(await freePort()),
          DATABASE_URL: TEST_DATABASE_URL,
          SWITCHBOARD_DATABASE_SCHEMA: schema,
          SWITCHBOARD_DATABASE_STATEMENT_TIMEOUT_MS: '500',
          SWITCHBOARD_DATA_DIR: join(dir, 'locked-database'),
        },
        30_000,
      );
      expect({ code, stderr }).toEqual({
        code: 1,
        stderr:
          `Cannot open the store in DATABASE_URL (${url.protocol}//${url.host}${url.pathname}): a statement did not finish within 500 ms ` +
          "(SWITCHBOARD_DATABASE_STATEMENT_TIMEOUT_MS). Another session may hold a lock on the store's tables (pg_locks shows it), " +
          'or the server is too busy to answer; start again once it is free.\n',
      });
    } finally {
      await admin.query('ROLLBACK');
      await admin.end();
      await dropTestSchema(schema);
    }
  });
});

describe('a PORT already in use', () => {
  let simulator: OrationSimulator;
  let env: Record<string, string>;
  let blocker: Server;
  let port: number;

  beforeAll(async () => {
    simulator = createOrationSimulator({ concurrencyLimit: 10, lifecycle: SHORT_ANSWERED_CALLS, historicConversations: 5 });
    const oration = { baseUrl: `${await simulator.listen(0)}/api/v2`, apiKey: DEMO_ACCOUNT.apiKey, workspaceId: DEMO_ACCOUNT.workspaceId, concurrencyLimit: 10 };
    port = await freePort();
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      SWITCHBOARD_WORKSPACES_FILE: writeWorkspacesFile(join(dir, 'workspaces.json'), [{ id: 'startup', apiKeys: [API_KEY], providers: { oration } }]),
      SWITCHBOARD_DATA_DIR: join(dir, 'pglite'),
      SWITCHBOARD_REPLICA_ID: 'startup-replica',
    };

    // Work waiting in the store: a batch stored by a gateway whose fan-out was stopped first, so
    // the next gateway to start on this data dir would dispatch it at once.
    const config = loadConfig(env);
    const runtime = await startGatewayRuntime({ env: config.env, workspaces: config.workspaces ?? [], logger: createLogger('silent') });
    await runtime.fanout.stop();
    const batch = await runtime.fanout.createBatch('startup', { conversations: phoneCalls(3, 'startup') });
    expect(batch.counts.QUEUED).toBe(3);
    await runtime.close();

    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    if (blocker?.listening) await new Promise<void>((resolve) => blocker.close(() => resolve()));
    await simulator?.close();
  });

  it('stops the start before anything is dispatched, with one line naming PORT, and exit code 1', async () => {
    const { code, stderr } = await runUntilExit(env);
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`PORT ${port}`);
    expect(lines[0]).toContain('already in use');
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(simulator.server.count(CREATE)).toBe(0);
  });

  it('dispatches the waiting batch once the port is free (the work was there to dispatch)', async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    const gateway = await spawnGateway({ env, apiKey: API_KEY });
    try {
      const deadline = Date.now() + 30_000;
      while (simulator.server.count(CREATE) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(simulator.server.count(CREATE)).toBeGreaterThan(0);
    } finally {
      await gateway.stop();
    }
  });
});

describe('a SWITCHBOARD_DATA_DIR that cannot hold a store, in demo mode', () => {
  const demoEnv = async (dataDir: string) => ({ NODE_ENV: 'test', LOG_LEVEL: 'warn', PORT: String(await freePort()), SWITCHBOARD_DATA_DIR: dataDir });

  it('under /proc: one line naming SWITCHBOARD_DATA_DIR and exit code 1, never a recursive mkdir that loops', async () => {
    const { code, stderr } = await runUntilExit(await demoEnv('/proc/nope'), 20_000);
    expect(code).toBe(1);
    expect(stderr).toBe(
      "SWITCHBOARD_DATA_DIR (/proc/nope) cannot hold the demo simulators' state beside it: " +
        "/proc/nope-demo-simulators cannot be created: ENOENT: no such file or directory, mkdir '/proc/nope-demo-simulators'.\n",
    );
  });

  it('under a file (/dev/null/x): one line naming SWITCHBOARD_DATA_DIR and the parent, no stack', async () => {
    const { code, stderr } = await runUntilExit(await demoEnv('/dev/null/x'), 20_000);
    expect(code).toBe(1);
    expect(stderr).toBe('SWITCHBOARD_DATA_DIR (/dev/null/x) cannot be created: its parent /dev/null is not a directory.\n');
  });

  it('whose parent is missing: refused before the simulators leave a state directory behind', async () => {
    const dataDir = join(dir, 'missing-parent', 'pglite');
    const { code, stderr } = await runUntilExit(await demoEnv(dataDir), 20_000);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `SWITCHBOARD_DATA_DIR (${dataDir}) does not exist and neither does its parent ${join(dir, 'missing-parent')}: ` +
        'a new store is created only in an existing directory, so a mistyped path cannot start an empty one.\n',
    );
    expect(existsSync(join(dir, 'missing-parent'))).toBe(false);
  });
});

describe('PORT=0', () => {
  it('listens on a free port and logs that port, not 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', PORT: '0', SWITCHBOARD_DATA_DIR: 'memory://' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let stderr = '';
        const timer = setTimeout(() => reject(new Error(`no start-up line:\n${stderr}`)), 45_000);
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
          const found = stderr.split('\n').find((l) => l.includes('Switchboard listening'));
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        });
      });
      const url = /listening on (\S+)$/.exec((JSON.parse(line) as { message: string }).message)?.[1] ?? '';
      const port = Number(new URL(url).port);
      expect(port).toBeGreaterThan(0);
      expect(url).toBe(`http://127.0.0.1:${port}/graphql`);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe('a HOST the gateway cannot listen on', () => {
  it.each([
    ['not.a.host.invalid', 'the name does not resolve to an address'],
    ['192.0.2.1', 'it is not an address of this machine'],
  ])('HOST=%s: one line naming HOST, not PORT, and exit code 1', async (host, why) => {
    const port = await freePort();
    const { code, stderr } = await runUntilExit({ NODE_ENV: 'test', LOG_LEVEL: 'warn', PORT: String(port), HOST: host, SWITCHBOARD_DATA_DIR: 'memory://' }, 30_000);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `Cannot listen on HOST ${host} (PORT ${port}): ${why}. Set HOST to an address of this machine (0.0.0.0 for all, 127.0.0.1 for loopback); nothing was dispatched.\n`,
    );
  });
});
