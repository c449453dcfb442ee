/**
 * The digest of the TypeScript source a build was made from: SHA-256 over every file under src/
 * (path and content, in a fixed order). `npm run build` writes it beside the compiled code, and
 * bin/switchboard.js runs the compiled code only when the source it finds has the same digest, so
 * an edit, a checkout or a copy that changed any file runs the source instead of an old build.
 * Contents, not modification times: a `cp -r` or a Docker COPY changes the times, not the code.
 * Plain JavaScript, read by the launcher before anything else loads.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export const DIGEST_FILE = '.source-digest';

/** @param {string} sourceDir @returns {string} */
export function sourceDigest(sourceDir) {
  const hash = createHash('sha256');
  const files = readdirSync(sourceDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of files) {
    hash.update(relative(sourceDir, file).split(sep).join('/')).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}
