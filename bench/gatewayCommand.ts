import { readFileSync } from 'node:fs';

/**
 * The node arguments `npm start` runs the gateway with (package.json's start script, e.g.
 * `exec node --max-semi-space-size=64 bin/switchboard.js`), so benchmarks measure the gateway as
 * it is started, flags included, from the one place they are written.
 */
export function gatewayStartArgs(root: string): string[] {
  const start = (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start;
  const match = /^exec node (.+)$/.exec(start);
  if (!match?.[1]) throw new Error(`package.json's start script is not "exec node <args>": ${start}`);
  return match[1].split(' ').filter(Boolean);
}
