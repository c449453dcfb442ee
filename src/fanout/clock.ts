/** Where the fan-out reads the time; injected so tests can move a replica's clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
