#!/usr/bin/env node
/**
 * `npm run build` (and `npm ci`, through `prepare`): compiles src/ to build/ with TypeScript's own
 * emit (tsconfig.build.json: types erased, no type check) and records the source's digest there.
 *
 * Why compile what Node 22.18 runs as it is: to strip types, Node loads its TypeScript stripper
 * (swc compiled to WebAssembly) into the process, and its memory stays for the process's life,
 * about a quarter of an idle gateway's (BENCHMARKS.md, "Idle memory"). bin/switchboard.js runs
 * build/ when its digest matches the source it finds, and the source otherwise, so a stale build
 * is never run. Plain JavaScript, so it runs where TypeScript is not installed and says so.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DIGEST_FILE, sourceDigest } from '../bin/sourceDigest.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const source = `${root}src`;
const output = `${root}build`;

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // A production install (`npm ci --omit=dev`) has no TypeScript: the gateway runs the source.
  process.stderr.write('build: TypeScript is not installed here (a production install?); nothing built, the gateway will run src/ as it is\n');
  process.exit(0);
}

const before = sourceDigest(source);
rmSync(output, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
if (compiled.status !== 0) {
  rmSync(output, { recursive: true, force: true });
  process.stderr.write('build: tsc failed; build/ removed, so the gateway runs src/ as it is\n');
  process.exit(compiled.status ?? 1);
}
copyRuntimeFiles(source, output);
if (sourceDigest(source) !== before) {
  // Written without a digest, the launcher treats it as stale and runs the source.
  process.stderr.write('build: src/ changed while it was compiled; run `npm run build` again\n');
  process.exit(1);
}
writeFileSync(`${output}/${DIGEST_FILE}`, `${before}\n`);

/**
 * tsc emits only what it compiles. Every other file a module reads beside itself (the explorer's
 * browser entry, main.jsx, which esbuild bundles at run time) is copied to the same place in
 * build/, so that build/ runs as src/ does. Documentation stays behind.
 */
function copyRuntimeFiles(from, to) {
  for (const entry of readdirSync(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.ts') || extname(entry.name) === '.md') continue;
    const path = relative(from, join(entry.parentPath, entry.name));
    cpSync(join(from, path), join(to, path));
  }
}
