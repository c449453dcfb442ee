import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CODE_FORM, MODULE_EXTENSION } from '../codeForm.ts';
import type { DataDirLock } from './dataDirLock.ts';

/** The child in the form this process runs in: `.js` from build/, `.ts` from src/. */
const CHILD = fileURLToPath(new URL(`./pgliteStartupChild${MODULE_EXTENSION}`, import.meta.url));

/**
 * How to run the child: as node runs this process. Compiled, or on a Node that strips types, plain
 * `node`; only a source run on an older Node (bin/switchboard.js's development fallback) needs tsx,
 * a development dependency, so it is looked up only then: a production install has none.
 */
function childArguments(dir: string): string[] {
  const nodeRunsIt = CODE_FORM === 'build' || Boolean(process.features.typescript);
  if (nodeRunsIt) return [CHILD, dir];
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, CHILD, dir];
}

export interface StoreCheck {
  /** Whether any batch item is QUEUED, DISPATCHING or CREATED: the fan-out has work at start. */
  pendingWork: boolean;
}

/**
 * Creates (when the directory is empty) and migrates the PGlite store in a short-lived child
 * process, and asks it whether the fan-out has unfinished work. PGlite's memory, once touched, is
 * not given back to the system when it closes: opened in the gateway just to migrate and look,
 * it held 90 MiB (a new store's initdb, 400) for the process's life. In a child it is gone when
 * the child exits, and the gateway opens the store itself only when a batch needs it
 * (`pgliteDatabase.ts`). The caller holds the directory's lease throughout, and the lease names
 * the child while it runs, so no other gateway can open the directory while the child works in
 * it, even after the caller died.
 */
export async function checkStoreInChild(dir: string, lease: Pick<DataDirLock, 'addHelper'>): Promise<StoreCheck> {
  const child = spawn(process.execPath, childArguments(dir), { stdio: ['ignore', 'pipe', 'pipe'] });
  // Named in the lease while it runs: if this process dies first, the child works on until it is
  // done, and the lease must not be taken over (nor a second child started) before then.
  const helper = child.pid === undefined ? null : lease.addHelper(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => helper?.done());
  if (code !== 0) throw new Error(`preparing the PGlite store in ${dir} failed (exit ${code}): ${stderr.trim()}`);
  const answer = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Partial<StoreCheck>;
  if (typeof answer.pendingWork !== 'boolean') throw new Error(`preparing the PGlite store in ${dir} answered ${stdout.trim()}`);
  return { pendingWork: answer.pendingWork };
}
