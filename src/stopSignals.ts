/**
 * SIGINT and SIGTERM reach one handler, which changes as the process moves from starting to
 * serving. One listener per signal stays installed for the life of the process, and only the
 * handler behind it is swapped.
 *
 * Why not `process.off` the start-up listener and `process.on` the serving one: removing Node's
 * last listener for a signal closes its signal handle, and a signal the operating system has
 * already delivered but the event loop has not yet dispatched belongs to that closed handle, so it
 * is dropped. A SIGTERM sent the moment "listening" was logged was ignored that way (about one
 * demo start in sixteen under load): the gateway neither shut down nor exited.
 */
export type StopSignal = 'SIGINT' | 'SIGTERM';
export type StopSignalHandler = (signal: StopSignal) => void;

export interface StopSignalRoute {
  /** From now on, SIGINT and SIGTERM go to `handler` (including one delivered but not yet dispatched). */
  handleWith(handler: StopSignalHandler): void;
}

export function routeStopSignals(initial: StopSignalHandler): StopSignalRoute {
  let current = initial;
  process.on('SIGINT', () => current('SIGINT'));
  process.on('SIGTERM', () => current('SIGTERM'));
  return {
    handleWith(handler) {
      current = handler;
    },
  };
}
