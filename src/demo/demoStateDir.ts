import { basename, dirname, join, resolve } from 'node:path';
import { checkDataDirPlace } from '../store/dataDirContents.ts';
import { InvalidDataDirError } from '../store/dataDirErrors.ts';
import { createDirectoryChain } from '../store/directoryChain.ts';

/**
 * Where the demo's simulators keep what must outlive the gateway process (the Oration
 * conversations created through the API): beside the store's data directory, named after it, so
 * a demo gateway restarted on one data directory finds its calls again, and two demo gateways on
 * two data directories in one folder never share a simulator. Not inside the data directory,
 * which belongs to PGlite. With DATABASE_URL the store is elsewhere, but the demo's simulators
 * are still local to the process, so `SWITCHBOARD_DATA_DIR` places them all the same.
 *
 * An in-memory store (`memory://`) keeps nothing across a restart; neither do the simulators (null).
 */
export function demoSimulatorStateDir(dataDir: string): string | null {
  if (dataDir.startsWith('memory://')) return null;
  const absolute = resolve(dataDir);
  return join(dirname(absolute), `${basename(absolute)}-demo-simulators`);
}

/**
 * Checks `SWITCHBOARD_DATA_DIR` as the store will (before anything creates a directory from it)
 * and creates the simulators' state directory beside it: a path the store would refuse is refused
 * here first, naming the setting, instead of leaving a state directory behind or looping in a
 * recursive mkdir. Returns the state directory, or null for an in-memory store.
 */
export function prepareDemoStateDir(dataDir: string): string | null {
  const stateDir = demoSimulatorStateDir(dataDir);
  if (stateDir === null) return null;
  checkDataDirPlace(dataDir);
  const problem = (message: string) =>
    new InvalidDataDirError(resolve(dataDir), `cannot hold the demo simulators' state beside it: ${message}.`);
  // The parent exists, or this is the default `.data/pglite`, whose parent may be created.
  createDirectoryChain(stateDir, problem);
  return stateDir;
}
