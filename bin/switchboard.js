#!/usr/bin/env node
/**
 * The one entry point: `npm start` (`exec node bin/switchboard.js`) and the container's CMD.
 * Plain JavaScript, so that any Node can read it and say what is wrong, and it runs the gateway
 * in this same process: no loader process, no child, so a SIGTERM sent to it reaches the
 * gateway's own graceful shutdown (src/main.ts).
 *
 * - Node 22.18+ (and any Node started with type stripping on) runs build/main.js when `npm run
 *   build` (run by `npm ci`) made build/ from exactly the src/ beside it (bin/sourceDigest.js):
 *   the same code with its types erased, without the TypeScript stripper's memory in the process
 *   (scripts/build.js says why). Otherwise it runs src/main.ts as it is: Node strips the types
 *   itself (tsconfig's `erasableSyntaxOnly` keeps the code strippable). A build made from other
 *   source is never run: the source runs instead, and this says so.
 * - An older Node outside production runs it through tsx, a development dependency that
 *   `npm ci` installs, so a fresh clone still starts on the machine's Node; it says so on stderr.
 * - Otherwise it refuses, naming the version needed and how to get it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DIGEST_FILE, sourceDigest } from './sourceDigest.js';

const MINIMUM = '22.18';
const main = new URL('../src/main.ts', import.meta.url).href;
const compiledMain = new URL('../build/main.js', import.meta.url);
const version = process.versions.node;
const howToGetIt =
  'Install Node 22: https://nodejs.org/en/download (or `nvm install 22`, or the official node:22 image); ' +
  'the CI script .ci/run installs it into ~/.cache/switchboard-node when the machine has an older one.';

/** `process.features.typescript` is 'strip' or 'transform' where Node runs .ts itself (22.10+ reports it). */
const nodeStripsTypes = Boolean(process.features && process.features.typescript);

if (nodeStripsTypes) {
  // A Node that could run the source runs the build of it when there is a current one.
  await import(buildIsCurrent() ? compiledMain.href : main);
} else if (process.env.NODE_ENV !== 'production' && hasTsx()) {
  process.stderr.write(
    `Switchboard: Node ${version} cannot run TypeScript itself (Node ${MINIMUM} or newer can; package.json "engines"). ` +
      `Running from source through tsx, a development dependency; production needs Node ${MINIMUM}+. ${howToGetIt}\n`,
  );
  const { register } = await import('tsx/esm/api');
  register();
  await import(main);
} else {
  const why = process.env.NODE_ENV === 'production' ? '' : ' (and tsx, the development fallback, is not installed)';
  process.stderr.write(`Switchboard needs Node ${MINIMUM} or newer (package.json "engines"); this is Node ${version}${why}. ${howToGetIt}\n`);
  process.exit(1);
}

/** Whether build/ holds the compiled form of the src/ beside it (or is all there is: no src/). */
function buildIsCurrent() {
  if (!existsSync(compiledMain)) return false;
  const source = fileURLToPath(new URL('../src/', import.meta.url));
  if (!existsSync(source)) return true;
  const digestFile = new URL(`../build/${DIGEST_FILE}`, import.meta.url);
  const built = existsSync(digestFile) ? readFileSync(digestFile, 'utf8').trim() : '';
  if (built === sourceDigest(source)) return true;
  process.stderr.write('Switchboard: build/ was not made from this src/; running src/ as it is (`npm run build` brings build/ up to date).\n');
  return false;
}

function hasTsx() {
  try {
    createRequire(import.meta.url).resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}
