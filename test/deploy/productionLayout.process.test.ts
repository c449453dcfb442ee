import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, pathWithThisNode, writeWorkspacesFile } from '../fanout/gatewayProcess.ts';
import { buildInWorkshop, REPO_ROOT } from './workshopBuild.ts';

// What production runs has no development dependency: the image (Dockerfile) ships package.json,
// bin/, schema/, build/ and `npm ci --omit=dev`'s tree; an install without the image runs src/ on
// the same tree. The embedded store's start-up child was spawned through tsx, looked up when its
// module loaded, so in both the gateway died at start ("Cannot find package 'tsx'") while every
// test, run beside the development tree, passed. Here each layout runs against a node_modules
// holding only what package-lock.json does not mark as development-only; a checkout (build/ and
// src/) also shows that build/ runs only while it was made from the src/ beside it.

const API_KEY = 'production-layout-key-0123456789';

let dir: string;

/** A node_modules of links to the repo's packages that package-lock.json does not mark `dev`. */
function productionModules(target: string): void {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!/^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) || entry.dev) continue;
    const link = join(target, path);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(REPO_ROOT, path), link);
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-production-'));
  // Built here, from this checkout's source, with the development tree (TypeScript).
  const workshop = buildInWorkshop(join(dir, 'workshop'));

  const production = join(dir, 'production-modules');
  productionModules(production);
  const layouts = { image: ['build'], source: ['src'], checkout: ['build', 'src'] } as const;
  for (const [layout, code] of Object.entries(layouts)) {
    for (const path of ['package.json', 'bin', 'schema']) cpSync(join(REPO_ROOT, path), join(dir, layout, path), { recursive: true });
    for (const part of code) cpSync(join(workshop, part), join(dir, layout, part), { recursive: true });
    symlinkSync(join(production, 'node_modules'), join(dir, layout, 'node_modules'));
    mkdirSync(join(dir, layout, '.data')); // as the image's `RUN mkdir -p /app/.data`
  }
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function startsAndAnswers(layout: 'image' | 'source' | 'checkout'): Promise<{ code: string; stderr: string }> {
  const root = join(dir, layout);
  const port = String(await freePort());
  const child = spawn(process.execPath, ['bin/switchboard.js'], {
    cwd: root,
    env: {
      PATH: pathWithThisNode(),
      NODE_ENV: 'production',
      PORT: port,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SWITCHBOARD_SYNC: 'false',
      SWITCHBOARD_DATA_DIR: join(root, '.data', 'pglite'),
      SWITCHBOARD_WORKSPACES_FILE: writeWorkspacesFile(join(root, 'workspaces.json'), [
        { id: 'production', apiKeys: [API_KEY], providers: { trata: { baseUrl: 'http://127.0.0.1:9', token: 'trata-token' } } },
      ]),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
      if (ok) break;
      if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}):\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      body: JSON.stringify({ query: '{ batches(first: 1) { nodes { id } } }' }),
    });
    // The batches are in the embedded store: the start-up child created and migrated it.
    expect(await response.json()).toEqual({ data: { batches: { nodes: [] } } });
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    const listening = stderr.split('\n').find((line) => line.includes('Switchboard listening'));
    return { code: (JSON.parse(listening ?? '{}') as { code: string }).code, stderr };
  } finally {
    child.kill('SIGKILL');
  }
}

describe('production layouts, without development dependencies', () => {
  it('the image (build/, no src/) starts on a new embedded store and runs the compiled code', async () => {
    const { code, stderr } = await startsAndAnswers('image');
    expect(code).toBe('build');
    expect(stderr).not.toContain('tsx');
  }, 90_000);

  it('an install without a build (src/ only) starts on a new embedded store and runs the source', async () => {
    const { code, stderr } = await startsAndAnswers('source');
    expect(code).toBe('source');
    expect(stderr).not.toContain('tsx');
  }, 90_000);

  it('a checkout runs build/ while it was made from the src/ beside it, and the source once src/ changes', async () => {
    const current = await startsAndAnswers('checkout');
    expect(current.code).toBe('build');
    expect(current.stderr).not.toContain('build/ was not made from this src/');

    // An edit after the build (here a comment): the old build must not run.
    const main = join(dir, 'checkout', 'src', 'main.ts');
    writeFileSync(main, `${readFileSync(main, 'utf8')}// edited after the build\n`);
    const edited = await startsAndAnswers('checkout');
    expect(edited.code).toBe('source');
    expect(edited.stderr.split('\n')[0]).toBe(
      'Switchboard: build/ was not made from this src/; running src/ as it is (`npm run build` brings build/ up to date).',
    );
  }, 120_000);
});
