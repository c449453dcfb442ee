import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInWorkshop } from './workshopBuild.ts';

// `npm start` runs build/, and tsc emits only what it compiles: the explorer's browser entry
// (src/explorer/browser/main.jsx, bundled by esbuild at run time beside its module) was missing
// there, so /graphiql answered every asset with 503 under `npm start` while the tests, which run
// src/, passed.

let dir: string;
let workshop: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-built-files-'));
  workshop = buildInWorkshop(join(dir, 'workshop'));
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('build/', () => {
  it('holds every file of src/ that is not TypeScript or documentation, at the same place', () => {
    const source = join(workshop, 'src');
    const runtimeFiles = readdirSync(source, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && !entry.name.endsWith('.ts') && extname(entry.name) !== '.md')
      .map((entry) => relative(source, join(entry.parentPath, entry.name)))
      .sort();
    expect(runtimeFiles).toEqual(['explorer/browser/main.jsx', 'explorer/browser/setupWorkers.js']);
    expect(runtimeFiles.filter((path) => !existsSync(join(workshop, 'build', path)))).toEqual([]);
  });

  it('bundles the explorer from the compiled code, as `npm start` runs it', () => {
    const script = `const { buildExplorer } = await import('./build/explorer/buildExplorer.js'); console.log(JSON.stringify([...(await buildExplorer()).keys()].sort()));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: workshop, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout) as string[]).toEqual(expect.arrayContaining(['app.js', 'app.css', 'editor.worker.js', 'json.worker.js', 'graphql.worker.js']));
  }, 120_000);
});
