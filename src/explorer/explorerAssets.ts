import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExplorer, CONTENT_TYPES, ExplorerBuildUnavailableError, type ExplorerAsset } from './buildExplorer.ts';

/** Where `npm run explorer:build` writes the bundle, for installs without esbuild. */
export const PREBUILT_EXPLORER_DIR = fileURLToPath(new URL('../../dist/explorer/', import.meta.url));

export type ExplorerAssets = () => Promise<Map<string, ExplorerAsset>>;

/**
 * The explorer's files, made once on first use, so the gateway's start never waits for them:
 * bundled in memory (about 5 s) where esbuild is installed, else read from `prebuiltDir`
 * (`npm run explorer:build`, for installs without development dependencies). Building first
 * means a stale prebuilt folder never hides a change to the explorer in development. A failed
 * build is not remembered: the next request tries again.
 */
export function explorerAssets(prebuiltDir = PREBUILT_EXPLORER_DIR, build = buildExplorer): ExplorerAssets {
  let assets: Promise<Map<string, ExplorerAsset>> | null = null;
  return () => {
    assets ??= build()
      .catch((error: unknown) => {
        if (error instanceof ExplorerBuildUnavailableError && existsSync(join(prebuiltDir, 'app.js'))) return readPrebuilt(prebuiltDir);
        throw error;
      })
      .catch((error: unknown) => {
        assets = null;
        throw error;
      });
    return assets;
  };
}

function readPrebuilt(dir: string): Map<string, ExplorerAsset> {
  const assets = new Map<string, ExplorerAsset>();
  for (const name of readdirSync(dir)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType) assets.set(name, { contentType, body: readFileSync(join(dir, name)) });
  }
  return assets;
}

/** One build per process, shared by every gateway in it (tests start several). */
export const sharedExplorerAssets: ExplorerAssets = explorerAssets();
