import { fileURLToPath } from 'node:url';

/** One file of the built explorer, served from memory (or from a prebuilt folder). */
export interface ExplorerAsset {
  contentType: string;
  body: Uint8Array;
}

/** The browser entry and Monaco's three workers, each bundled on its own. */
const ENTRY_POINTS = {
  app: fileURLToPath(new URL('./browser/main.jsx', import.meta.url)),
  'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
  'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
  'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
};

/** Where `graphiql`, `react` and `monaco-*` resolve from, whatever the process's working directory. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export class ExplorerBuildUnavailableError extends Error {
  override readonly name = 'ExplorerBuildUnavailableError';
}

/**
 * Bundles GraphiQL (the `graphiql` package with React) and Monaco's workers with esbuild's JS
 * API, in memory: file name -> asset. esbuild comes with tsx and vitest; where it is absent (an
 * install without development dependencies) this throws ExplorerBuildUnavailableError and
 * explorerAssets.ts serves the folder `npm run explorer:build` wrote instead.
 */
export async function buildExplorer(): Promise<Map<string, ExplorerAsset>> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new ExplorerBuildUnavailableError('esbuild is not installed, and no prebuilt explorer was found (run `npm run explorer:build`)');
  }
  const result = await esbuild.build({
    entryPoints: ENTRY_POINTS,
    absWorkingDir: PACKAGE_ROOT,
    bundle: true,
    write: false,
    outdir: 'out',
    // Classic scripts: the workers load with `new Worker(url)`, and the page needs no module support.
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    // GraphiQL's CSS embeds its fonts as data URLs; Monaco's codicon font is a file it imports.
    loader: { '.ttf': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl' },
    logLevel: 'silent',
  });
  const assets = new Map<string, ExplorerAsset>();
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    const contentType = CONTENT_TYPES[name.slice(name.lastIndexOf('.'))];
    if (contentType) assets.set(name, { contentType, body: file.contents });
  }
  return assets;
}
