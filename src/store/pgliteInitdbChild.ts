/**
 * Run by `initialisePgliteDataDir` as a process of its own: creates a new PGlite store in the
 * directory given as the only argument, closes it (a checkpoint) and exits. Only erasable
 * TypeScript, so Node runs it with its own type stripping and no loader.
 */
import { PGlite } from '@electric-sql/pglite';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: pgliteInitdbChild.ts <data dir>\n');
  process.exit(2);
}
const db = await PGlite.create(dir);
await db.close();
