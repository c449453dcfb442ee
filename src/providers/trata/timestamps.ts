/**
 * Trata writes timestamps without a time zone (`2024-11-11T05:06:21.049339`). We read them as UTC:
 * the document's one zoned value (`2023-11-07T05:31:56Z` in the request sample) is UTC, and its
 * recording ids (`fil.1731301754…`) carry unix seconds that agree with the naive times read as
 * UTC. `Date.parse` would read a zoneless date-time as local time, hence this parser.
 */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses a Trata timestamp, zoneless (read as UTC) or zoned. Fractions finer than a millisecond
 * are truncated, never rounded, so a record at `…38.618999` stays before the bound `…38.619`.
 * Returns null for anything that is not a valid date-time.
 */
export function parseTrataTimestamp(text: string | null | undefined): Date | null {
  if (text === null || text === undefined) return null;
  const match = TIMESTAMP.exec(text.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone] = match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = fields;
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return null;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(y, mo - 1, d, h, mi, s, millis);
  // Date.UTC rolls 31 February over into March; a real timestamp never needs that.
  if (new Date(local).getUTCDate() !== d) return null;
  return new Date(local - zoneOffsetMinutes(zone) * 60_000);
}

/** Formats a bound for a Trata query the way Trata writes times: UTC, no zone, milliseconds. */
export function formatTrataTimestamp(date: Date): string {
  return date.toISOString().slice(0, 23);
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}
