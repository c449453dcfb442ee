#!/usr/bin/env node
/**
 * The one entry point: `npm start` (`exec node bin/switchboard.js`) and the container's CMD.
 * Plain JavaScript, so that any Node can read it and say what is wrong, and it runs the gateway
 * in this same process: no loader process, no child, so a SIGTERM sent to it reaches the
 * gateway's own graceful shutdown (src/main.ts).
 *
 * - Node 22.18+ (and any Node started with type stripping on) runs src/main.ts as it is: Node
 *   strips the types itself (tsconfig's `erasableSyntaxOnly` keeps the code strippable).
 * - An older Node outside production runs it through tsx, a development dependency that
 *   `npm ci` installs, so a fresh clone still starts on the machine's Node; it says so on stderr.
 * - Otherwise it refuses, naming the version needed and how to get it.
 */
import { createRequire } from 'node:module';

const MINIMUM = '22.18';
const main = new URL('../src/main.ts', import.meta.url).href;
const version = process.versions.node;
const howToGetIt =
  'Install Node 22: https://nodejs.org/en/download (or `nvm install 22`, or the official node:22 image); ' +
  'the CI script .ci/run installs it into ~/.cache/switchboard-node when the machine has an older one.';

/** `process.features.typescript` is 'strip' or 'transform' where Node runs .ts itself (22.10+ reports it). */
const nodeStripsTypes = Boolean(process.features && process.features.typescript);

if (nodeStripsTypes) {
  await import(main);
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

function hasTsx() {
  try {
    createRequire(import.meta.url).resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}
