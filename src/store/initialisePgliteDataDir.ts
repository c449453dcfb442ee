import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./pgliteInitdbChild.ts', import.meta.url));

/**
 * Creates a new PGlite store in an empty directory in a short-lived child process. PGlite's
 * initdb runs a second WebAssembly PostgreSQL whose memory the process never hands back: done
 * in the gateway, a first start idles at over 500 MiB where a later start on the same directory
 * idles at about 150 (BENCHMARKS.md). The caller holds the directory's lease throughout, so no
 * other gateway can open the directory while the child writes it.
 */
export async function initialisePgliteDataDir(dir: string): Promise<void> {
  const child = spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', CHILD, dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`creating the PGlite store in ${dir} failed (exit ${code}): ${stderr.trim()}`);
}
