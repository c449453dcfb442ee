import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, pathWithThisNode, writeWorkspacesFile } from '../fanout/gatewayProcess.ts';

// Issue 12, part 1: `npm start` ran the gateway through tsx under npm, and a SIGTERM to it left
// the gateway orphaned and still answering. Now npm starts one node process, which a SIGTERM
// stops; bin/switchboard.js runs the source with Node's own type stripping, from any directory.

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LAUNCHER = join(REPO_ROOT, 'bin', 'switchboard.js');
const API_KEY = 'start-command-key-0123456789';

interface Started {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<number | null>;
}

function start(command: string, args: string[], options: { cwd: string; env: Record<string, string> }): Started {
  const child = spawn(command, args, { cwd: options.cwd, env: { PATH: pathWithThisNode(), ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exit };
}

async function waitForHealth(port: string, started: Started, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline || started.child.exitCode !== null) throw new Error(`not ready:\n${started.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The gateway's own pid, from its start-up line. */
function gatewayPid(stderr: string): number {
  const line = stderr.split('\n').find((l) => l.includes('Switchboard listening'));
  return (JSON.parse(line ?? '{}') as { pid: number }).pid;
}

function parentOf(pid: number): number {
  return Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-start-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('is npm and one gateway process, its direct child; SIGTERM to npm stops the gateway gracefully', async () => {
    const port = String(await freePort());
    const npm = start('npm', ['start', '--silent'], {
      cwd: REPO_ROOT,
      env: { PORT: port, HOST: '127.0.0.1', SWITCHBOARD_DATA_DIR: join(dir, 'demo'), LOG_LEVEL: 'info' },
    });
    try {
      await waitForHealth(port, npm);
      const pid = gatewayPid(npm.stderr());
      // No shell, no tsx, no loader process between npm and the gateway.
      expect(parentOf(pid)).toBe(npm.child.pid);
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(1, -1)).toEqual(['--max-semi-space-size=64', 'bin/switchboard.js']);

      npm.child.kill('SIGTERM');
      expect(await npm.exit, npm.stderr()).toBe(0);
      expect(existsSync(`/proc/${pid}`)).toBe(false);
      expect(npm.stderr()).toContain('stopped: operations and provider calls in flight finished, leases released, store closed');
      const refused = await fetch(`http://127.0.0.1:${port}/health`).then(() => 'answered', (error: unknown) => String((error as { cause?: { code?: string } }).cause?.code));
      expect(refused).toBe('ECONNREFUSED');
    } finally {
      npm.child.kill('SIGKILL');
    }
  }, 90_000);
});

describe('bin/switchboard.js', () => {
  it('runs from another directory: the schema files are found beside the code, not in the working directory', async () => {
    const port = String(await freePort());
    const cwd = mkdtempSync(join(dir, 'elsewhere-'));
    const gateway = start(process.execPath, [LAUNCHER], {
      cwd,
      env: {
        NODE_ENV: 'production',
        PORT: port,
        HOST: '127.0.0.1',
        SWITCHBOARD_DATA_DIR: join(cwd, 'pglite'),
        SWITCHBOARD_WORKSPACES_FILE: writeWorkspacesFile(join(cwd, 'workspaces.json'), [
          { id: 'elsewhere', apiKeys: [API_KEY], providers: { trata: { baseUrl: 'http://127.0.0.1:9', token: 'trata-token' } } },
        ]),
      },
    });
    try {
      await waitForHealth(port, gateway);
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
      gateway.child.kill('SIGTERM');
      expect(await gateway.exit).toBe(0);
    } finally {
      gateway.child.kill('SIGKILL');
    }
  }, 60_000);

  it('stops gracefully on a SIGINT that arrives while it starts: the store is closed and its lease released', async () => {
    // A Ctrl-C during start-up (a new store's initdb takes seconds) ended the process before its
    // handlers were set: no shutdown, the lease left for the next start to take over.
    const port = String(await freePort());
    const cwd = mkdtempSync(join(dir, 'interrupted-'));
    const dataDir = join(cwd, 'pglite');
    const gateway = start(process.execPath, [LAUNCHER], {
      cwd,
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        PORT: port,
        HOST: '127.0.0.1',
        SWITCHBOARD_DATA_DIR: dataDir,
        SWITCHBOARD_WORKSPACES_FILE: writeWorkspacesFile(join(cwd, 'workspaces.json'), [
          { id: 'interrupted', apiKeys: [API_KEY], providers: { trata: { baseUrl: 'http://127.0.0.1:9', token: 'trata-token' } } },
        ]),
      },
    });
    try {
      const lock = join(dataDir, 'switchboard.lock');
      const deadline = Date.now() + 30_000;
      while (!existsSync(lock) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(existsSync(lock)).toBe(true); // the store's lease is taken: start-up is under way
      gateway.child.kill('SIGINT');
      expect(await gateway.exit, gateway.stderr()).toBe(0);
      const lines = gateway.stderr().split('\n');
      expect(lines).toContain('SIGINT during start-up: Switchboard stops once started');
      expect(gateway.stderr()).toContain('stopped: operations and provider calls in flight finished, leases released, store closed');
      expect(existsSync(lock)).toBe(false);
    } finally {
      gateway.child.kill('SIGKILL');
    }
  }, 60_000);

  it('says nothing more of starting once a SIGTERM during demo start-up has it shutting down', async () => {
    // Found trying the demo as a new user: a SIGTERM right after "listening" was followed, after
    // "shutting down", by the demo's start-up lines (its webhooks set up, its API key), as if it started again.
    const port = String(await freePort());
    const cwd = mkdtempSync(join(dir, 'demo-stopped-'));
    const gateway = start(process.execPath, [LAUNCHER], {
      cwd,
      env: { LOG_LEVEL: 'info', PORT: port, HOST: '127.0.0.1', SWITCHBOARD_DATA_DIR: join(cwd, 'pglite') },
    });
    try {
      // Generous: at the start of a CI run on two cores, every process test starts at once.
      const deadline = Date.now() + 90_000;
      while (!gateway.stderr().includes('Switchboard listening') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      gateway.child.kill('SIGTERM');
      expect(await gateway.exit, gateway.stderr()).toBe(0);
      const messages = gateway
        .stderr()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => (JSON.parse(line) as { message: string }).message);
      const afterShutdown = messages.slice(messages.indexOf('shutting down') + 1);
      expect(messages).toContain('shutting down');
      expect(afterShutdown).toEqual(['stopped: operations and provider calls in flight finished, leases released, store closed']);
    } finally {
      gateway.child.kill('SIGKILL');
    }
  }, 150_000);

  // A Node that cannot strip types, as Node 20 (this machine's default) or 22 before 22.18.
  const withoutTypeStripping = ['--no-experimental-strip-types', LAUNCHER];

  it('on a Node without type stripping, refuses production naming the version needed and how to get it', async () => {
    const refused = start(process.execPath, withoutTypeStripping, { cwd: REPO_ROOT, env: { NODE_ENV: 'production' } });
    expect(await refused.exit).toBe(1);
    expect(refused.stderr()).toBe(
      `Switchboard needs Node 22.18 or newer (package.json "engines"); this is Node ${process.versions.node}. ` +
        'Install Node 22: https://nodejs.org/en/download (or `nvm install 22`, or the official node:22 image); ' +
        'the CI script .ci/run installs it into ~/.cache/switchboard-node when the machine has an older one.\n',
    );
  });

  it('on a Node without type stripping, runs the source through tsx in development and says so', async () => {
    // A bad setting makes main.ts answer and exit at once: proof that it ran, through tsx.
    const fallback = start(process.execPath, withoutTypeStripping, { cwd: REPO_ROOT, env: { NODE_ENV: 'development', PORT: 'not-a-port' } });
    expect(await fallback.exit).toBe(1);
    const [note, ...rest] = fallback.stderr().split('\n');
    expect(note).toContain(`Switchboard: Node ${process.versions.node} cannot run TypeScript itself (Node 22.18 or newer can; package.json "engines"). Running from source through tsx`);
    expect(rest.join('\n')).toContain('PORT: must be a port number, 0 to 65535');
  });
});
