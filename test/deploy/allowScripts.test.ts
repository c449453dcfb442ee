import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * npm 11.16+ warns on `npm ci` about every dependency whose install script `allowScripts` does
 * not cover, and npm 12 skips such scripts. Every package the lockfile marks as having one must
 * have a decision in package.json, so a dependency update that brings a new one is seen here.
 */
const read = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'));

describe('package.json allowScripts', () => {
  it('decides on every locked package with an install script, and on no other', () => {
    const lock = read('package-lock.json') as { packages: Record<string, { hasInstallScript?: boolean }> };
    // The project itself ('' in the lockfile, which `npm install` marks for its own postinstall) is no dependency.
    const withScripts = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.hasInstallScript === true)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    const { allowScripts } = read('package.json') as { allowScripts?: Record<string, boolean> };
    const decided = Object.keys(allowScripts ?? {}).map((key) => key.replace(/(?<=.)@[^@/]+$/, ''));
    expect([...new Set(withScripts)].sort()).toEqual(decided.sort());
    expect(allowScripts).toEqual({ '@apollo/protobufjs': false, esbuild: false });
  });
});
