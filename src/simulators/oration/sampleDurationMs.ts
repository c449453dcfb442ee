import type { SeededRandom } from '../shared/random.ts';

/** How long a phase of a simulated call lasts. */
export type DurationDistribution =
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  /** Call lengths are long-tailed: most are short, a few run long; `maxMs` caps the tail. */
  | { kind: 'lognormal'; medianMs: number; sigma: number; maxMs: number };

/** Draws one duration in whole milliseconds (never negative) from `distribution`. */
export function sampleDurationMs(distribution: DurationDistribution, random: SeededRandom): number {
  switch (distribution.kind) {
    case 'fixed':
      return Math.max(0, Math.round(distribution.ms));
    case 'uniform':
      return Math.max(0, Math.round(distribution.minMs + random.next() * (distribution.maxMs - distribution.minMs)));
    case 'lognormal': {
      const value = distribution.medianMs * Math.exp(distribution.sigma * standardNormal(random));
      return Math.max(0, Math.round(Math.min(value, distribution.maxMs)));
    }
  }
}

/** Box-Muller; `1 - next()` keeps the logarithm's argument above zero. */
function standardNormal(random: SeededRandom): number {
  const u = 1 - random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
