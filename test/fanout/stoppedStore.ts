import { PGlite } from '@electric-sql/pglite';
import { PGLITE_START_PARAMS } from '../../src/store/pgliteSizing.ts';

/**
 * Runs one read on the PGlite data directory of a gateway process that has exited (SIGKILLed or
 * stopped), for a process test's assertions. Call it only after `kill()` or `stop()` resolved: the
 * embedded store admits one process at a time.
 *
 * PGlite is opened here directly, not through `openDatabase`: that is the gateway's start path
 * (tested as such elsewhere), which takes the directory's lease and first runs a child process
 * (PGlite, the migrations, a checkpoint) before opening the store in this process too, about
 * 2.5 s a read on a 2-core machine against 0.3 s. The read neither migrates nor leases: a killed
 * gateway's lease file stays as the crash left it, and the next gateway takes it over as it
 * would in production (its holder's pid is dead).
 */
export async function readStoppedStore<Row extends object>(dataDir: string, sql: string): Promise<Row[]> {
  const pglite = await PGlite.create(dataDir, { startParams: [...PGLITE_START_PARAMS] });
  try {
    return (await pglite.query<Row>(sql)).rows;
  } finally {
    await pglite.close();
  }
}
