import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { WorkspaceConfig } from '../../src/workspaces/workspaceConfig.ts';
import type { GraphQLResponse } from '../support/testGateway.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** package.json's `start` script, which npm runs as `sh -c <script>`. */
export const START_SCRIPT: string = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  scripts: { start: string };
}).scripts.start;

/**
 * PATH for a child that must run on this test's Node (22): its directory first, whatever `node`
 * the machine's PATH finds (Node 20 on these machines).
 */
export function pathWithThisNode(): string {
  return `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
}

/**
 * A real gateway process, started exactly as `npm start` starts it (`sh -c` with package.json's
 * start script, which execs node: the pid is the gateway's own), as production runs it.
 */
export interface GatewayProcess {
  readonly pid: number;
  /** `http://127.0.0.1:<port>/graphql` */
  readonly url: string;
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** SIGKILL: no shutdown hook runs, nothing is flushed or released, as in a crash. */
  kill(): Promise<void>;
  /**
   * SIGTERM: the graceful shutdown `main.ts` installs. Resolves with the exit code, or null when
   * it had to be killed after `timeoutMs` (a shutdown that hangs).
   */
  stop(timeoutMs?: number): Promise<number | null>;
  readonly exited: boolean;
  /** Everything it logged (stderr), for failure messages. */
  log(): string;
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Writes a workspaces file (`SWITCHBOARD_WORKSPACES_FILE`) and returns its path. */
export function writeWorkspacesFile(path: string, workspaces: readonly WorkspaceConfig[]): string {
  writeFileSync(path, JSON.stringify({ workspaces }, null, 2));
  return path;
}

/**
 * Starts the gateway in a process of its own with exactly `env` (plus PATH), and resolves once
 * `/health` answers. `PORT` must be set; the process listens on 127.0.0.1.
 */
export async function spawnGateway(options: { env: Record<string, string>; apiKey: string; startTimeoutMs?: number }): Promise<GatewayProcess> {
  const port = options.env.PORT;
  if (!port) throw new Error('spawnGateway needs PORT in env');
  const child: ChildProcess = spawn('sh', ['-c', START_SCRIPT], {
    cwd: REPO_ROOT,
    env: { PATH: pathWithThisNode(), HOST: '127.0.0.1', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  let exitCode: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  const base = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + (options.startTimeoutMs ?? 45_000);
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the gateway exited with ${exitCode} before it was ready:\n${log}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the gateway was not ready in time:\n${log}`);
    }
    const ready = await fetch(`${base}/health`, { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const signal = async (name: NodeJS.Signals) => {
    if (exitCode === undefined) child.kill(name);
    return exit;
  };
  return {
    pid: child.pid ?? -1,
    url: `${base}/graphql`,
    async query<T>(query: string, variables?: Record<string, unknown>) {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': options.apiKey },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GraphQLResponse<T>['body'] };
    },
    kill: async () => {
      await signal('SIGKILL');
    },
    stop: async (timeoutMs = 15_000) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await signal('SIGTERM');
      } finally {
        clearTimeout(timer);
      }
    },
    get exited() {
      return exitCode !== undefined;
    },
    log: () => log,
  };
}

/** Oration lifecycle for process tests: short calls (~0.3-0.6 s of slot) that nobody misses, so every item ends ENDED. */
export const SHORT_ANSWERED_CALLS = {
  queueMs: { kind: 'fixed', ms: 50 },
  dialMs: { kind: 'fixed', ms: 50 },
  talkMs: { kind: 'uniform', minMs: 200, maxMs: 500 },
  unansweredRate: 0,
  failRate: 0,
} as const;
