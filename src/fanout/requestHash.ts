import { createHash } from 'node:crypto';
import type { ValidatedItem } from './validateBatchInput.ts';

/**
 * A fingerprint of what a batch asks for, after normalization, so a retried request matches its
 * first attempt even when a client orders object keys differently. Keys are sorted recursively
 * before hashing; item order matters (it is each item's index).
 */
export function requestHash(items: readonly ValidatedItem[]): string {
  return createHash('sha256').update(canonicalJson(items)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
