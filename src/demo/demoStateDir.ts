import { basename, dirname, join, resolve } from 'node:path';

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
