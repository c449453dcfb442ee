import { createHash } from 'node:crypto';
import { Decimal } from '../domain/decimal.ts';
import { formatInstant, parseInstant } from '../domain/preciseDate.ts';

/**
 * Domain records as JSON for the synced store, and back, exactly: instants keep the provider's
 * precision (`formatInstant`, Trata's microseconds) and money stays a `Decimal`.
 *
 * Both are written as tagged objects (`{"$instant": "…"}`, `{"$decimal": "0.0352"}`) rather than
 * recognised by key name on the way back: `dynamicVariables` hold whatever a client sent, and a
 * client's own `createdAt` string must come back a string. For the same reason a client's object
 * that looks like a tag (its one key `$instant`, `$decimal` or `$escaped`) is written inside
 * `{"$escaped": …}` and comes back as the object it was: read as a tag, a client's
 * `{"$instant": "2026-01-01T00:00:00Z"}` came back from the store as a date (a data trial).
 */
export function encodeRecord(record: unknown): string {
  return JSON.stringify(toTagged(record));
}

export function decodeRecord<T>(json: string | object): T {
  const value = typeof json === 'string' ? JSON.parse(json) : json;
  return fromTagged(value) as T;
}

/** sha256 of the encoded record: the same content is the same version. */
export function contentHash(encoded: string): string {
  return createHash('sha256').update(encoded, 'utf8').digest('hex');
}

const TAGS = new Set(['$instant', '$decimal', '$escaped']);

/** Whether an object's entries are those of a tag: one key, a tag's name. */
function looksLikeTag(entries: readonly (readonly [string, unknown])[]): boolean {
  return entries.length === 1 && TAGS.has(entries[0]![0]);
}

function toTagged(value: unknown): unknown {
  if (value instanceof Date) return { $instant: formatInstant(value) };
  if (value instanceof Decimal) return { $decimal: value.toString() };
  if (Array.isArray(value)) return value.map(toTagged);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, each]) => each !== undefined);
    const out = Object.fromEntries(entries.map(([key, each]) => [key, toTagged(each)]));
    return looksLikeTag(entries) ? { $escaped: out } : out;
  }
  return value;
}

function fromTagged(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromTagged);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [key, inner] = entries[0] as [string, unknown];
      if (key === '$instant' && typeof inner === 'string') {
        const instant = parseInstant(inner, { zoneless: 'reject' });
        if (instant === null) throw new Error(`Stored instant ${inner} does not parse`);
        return instant;
      }
      if (key === '$decimal' && typeof inner === 'string') {
        const amount = Decimal.parse(inner);
        if (amount === null) throw new Error(`Stored decimal ${inner} does not parse`);
        return amount;
      }
      // A client's object that looked like a tag: itself, with only its values read.
      if (key === '$escaped' && inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
        return Object.fromEntries(Object.entries(inner).map(([innerKey, each]) => [innerKey, fromTagged(each)]));
      }
    }
    return Object.fromEntries(entries.map(([key, each]) => [key, fromTagged(each)]));
  }
  return value;
}
