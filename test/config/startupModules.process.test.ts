import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, pathWithThisNode, writeWorkspacesFile } from '../fanout/gatewayProcess.ts';

// Issue 9, idle memory: what a gateway loads at start stays in its heap for its life. The
// PostgreSQL driver and the OpenTelemetry SDK (exporter, resources, span processors) are loaded
// only by the configurations that use them: together about 4 MiB of heap (BENCHMARKS.md).

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const API_KEY = 'startup-modules-key-0123456789';

/** Records every module the process resolves, and writes the list when it exits. */
const RECORDER = `
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const seen = new Set();
registerHooks({ resolve(specifier, context, next) { const resolved = next(specifier, context); seen.add(resolved.url); return resolved; } });
process.on('exit', () => writeFileSync(process.env.MODULES_OUT, [...seen].join('\\n')));
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-modules-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the gateway as `npm start` does, with `env`, until /health answers; stops it; returns the packages it loaded. */
async function packagesLoaded(name: string, env: Record<string, string>): Promise<string[]> {
  const recorder = join(dir, 'recorder.mjs');
  writeFileSync(recorder, RECORDER);
  const out = join(dir, `${name}.txt`);
  const port = String(await freePort());
  const child = spawn(process.execPath, ['--import', recorder, 'bin/switchboard.js'], {
    cwd: REPO_ROOT,
    env: {
      PATH: pathWithThisNode(),
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: port,
      LOG_LEVEL: 'silent',
      SWITCHBOARD_SYNC: 'false',
      MODULES_OUT: out,
      SWITCHBOARD_WORKSPACES_FILE: writeWorkspacesFile(join(dir, `${name}.json`), [
        { id: 'modules', apiKeys: [API_KEY], providers: { trata: { baseUrl: 'http://127.0.0.1:9', token: 'trata-token' } } },
      ]),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    for (let ready = false; !ready; ) {
      if (child.exitCode !== null) throw new Error(`the gateway exited:\n${stderr}`);
      ready = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
  const packages = readFileSync(out, 'utf8')
    .split('\n')
    .map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1])
    .filter((name): name is string => name !== undefined);
  return [...new Set(packages)].sort();
}

const ON_DEMAND = ['pg', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/resources', '@opentelemetry/sdk-trace'];

describe('modules loaded at start', () => {
  it('leave out the PostgreSQL driver and the tracing SDK when the store is embedded and OTEL_* unset', async () => {
    const loaded = await packagesLoaded('default', { SWITCHBOARD_DATA_DIR: join(dir, 'pglite') });
    expect(loaded).toContain('@electric-sql/pglite');
    expect(ON_DEMAND.filter((name) => loaded.includes(name))).toEqual([]);
  }, 90_000);

  it('include the tracing SDK when an OTLP endpoint is set', async () => {
    const loaded = await packagesLoaded('traced', {
      // The data directory of the test above: a second new store (initdb and all) cost another
      // 6-10 s, and which store it is does not change what loads. Run alone, this test creates it.
      SWITCHBOARD_DATA_DIR: join(dir, 'pglite'),
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
    });
    expect(ON_DEMAND.filter((name) => loaded.includes(name))).toEqual(['@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/resources', '@opentelemetry/sdk-trace']);
  }, 90_000);
});
