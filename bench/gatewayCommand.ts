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

/**
 * The start script's arguments with `flags` added after its own flags, so that where both set
 * the same V8 option (`--max-semi-space-size`) the added one is the one in force: V8 takes the
 * last. Put before them, a variant's flag was silently overridden by the start script's.
 */
export function gatewayStartArgsWith(root: string, flags: readonly string[]): string[] {
  const args = gatewayStartArgs(root);
  return [...args.slice(0, -1), ...flags, ...args.slice(-1)];
}
