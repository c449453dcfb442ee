import { spawnSync } from 'node:child_process';
import { cpSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `npm run build` run on a copy of this checkout's source in `workshop` (with the development
 * tree's node_modules), so a test sees what the build makes without touching the checkout's own
 * build/. Returns the workshop's path.
 */
export function buildInWorkshop(workshop: string): string {
  for (const path of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'bin', 'scripts', 'src']) cpSync(join(REPO_ROOT, path), join(workshop, path), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(workshop, 'node_modules'));
  const built = spawnSync(process.execPath, ['scripts/build.js'], { cwd: workshop, encoding: 'utf8' });
  expect(built.stderr).toBe('');
  expect(built.status).toBe(0);
  return workshop;
}
