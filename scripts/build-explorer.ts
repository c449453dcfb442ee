/**
 * `npm run explorer:build`: bundles GraphiQL into dist/explorer, for installs that run without
 * esbuild (production dependencies only). Without it, the gateway bundles on the first request
 * to /graphiql instead. docs/explorer.md.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExplorer } from '../src/explorer/buildExplorer.ts';
import { PREBUILT_EXPLORER_DIR } from '../src/explorer/explorerAssets.ts';

const started = performance.now();
const assets = await buildExplorer();
rmSync(PREBUILT_EXPLORER_DIR, { recursive: true, force: true });
mkdirSync(PREBUILT_EXPLORER_DIR, { recursive: true });
for (const [name, asset] of assets) writeFileSync(join(PREBUILT_EXPLORER_DIR, name), asset.body);
const bytes = [...assets.values()].reduce((sum, asset) => sum + asset.body.byteLength, 0);
console.log(`explorer: ${assets.size} files, ${(bytes / 1e6).toFixed(1)} MB in ${PREBUILT_EXPLORER_DIR} (${Math.round(performance.now() - started)} ms)`);
