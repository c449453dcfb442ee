import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isErrno } from './dataDirErrors.ts';

/**
 * Creates `dir` and its missing parents one level at a time, from the nearest existing ancestor
 * down. Node's `mkdirSync(dir, { recursive: true })` is not used: on a path under a file system
 * that refuses to create (`/proc/nope/x`: mkdir answers ENOENT, and the parent "exists" with
 * EEXIST) it retries forever at full CPU. Throws `problem(message)` when an ancestor is not a
 * directory or a level cannot be created; another process creating a level first is fine.
 */
export function createDirectoryChain(dir: string, problem: (message: string) => Error): void {
  const missing: string[] = [];
  let current = resolve(dir);
  for (;;) {
    const kind = kindOf(current, problem);
    if (kind === 'directory') break;
    if (kind === 'other') throw problem(`${current} is not a directory`);
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) throw problem(`no part of ${dir} exists`);
    current = parent;
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      if (isErrno(error, 'EEXIST') && kindOf(level, problem) === 'directory') continue;
      throw problem(`${level} cannot be created: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function kindOf(path: string, problem: (message: string) => Error): 'directory' | 'other' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'other';
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return 'missing';
    // ENOTDIR: an ancestor is a file; the walk up names it.
    if (isErrno(error, 'ENOTDIR')) return 'missing';
    throw problem(`${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}
