/**
 * Instants at the provider's precision.
 *
 * A JavaScript `Date` holds whole milliseconds, but Trata writes microseconds
 * (`2024-11-11T05:06:21.049339`). Cut to milliseconds, a record's own `createdAt` used as an
 * incremental pull's `createdAfter` bound comes back again, and two records stored within one
 * millisecond lose their order. A `PreciseDate` is a `Date` (so everything that only needs
 * milliseconds keeps working) that also carries the sub-millisecond part and how many fraction
 * digits the provider wrote; `compareInstants` and `formatInstant` use them, and a plain `Date`
 * is simply an instant whose sub-millisecond part is zero.
 */
export class PreciseDate extends Date {
  /** Nanoseconds past the whole millisecond, 0..999 999. */
  readonly nanosOfMillisecond: number;
  /** Fraction-of-second digits to write on output: what the provider wrote, at least 3. */
  readonly fractionDigits: number;

  constructor(epochMillis: number, nanosOfMillisecond: number, fractionDigits: number) {
    super(epochMillis);
    if (!Number.isInteger(nanosOfMillisecond) || nanosOfMillisecond < 0 || nanosOfMillisecond > 999_999) {
      throw new RangeError(`nanosOfMillisecond must be an integer in 0..999999, got ${nanosOfMillisecond}`);
    }
    this.nanosOfMillisecond = nanosOfMillisecond;
    this.fractionDigits = Math.min(9, Math.max(3, fractionDigits));
  }
}

/** The sub-millisecond part of any date: zero for a plain `Date`. */
export function nanosOfMillisecond(date: Date): number {
  return date instanceof PreciseDate ? date.nanosOfMillisecond : 0;
}

/** Orders two instants at full precision (milliseconds, then the part below). */
export function compareInstants(a: Date, b: Date): number {
  const byMillis = a.getTime() - b.getTime();
  if (byMillis !== 0) return byMillis;
  return nanosOfMillisecond(a) - nanosOfMillisecond(b);
}

/**
 * Epoch microseconds, exact for every instant up to the year 2255 (past that a double cannot
 * hold every microsecond). Nanoseconds below the microsecond are dropped (floor).
 */
export function epochMicros(date: Date): number {
  return date.getTime() * 1000 + Math.floor(nanosOfMillisecond(date) / 1000);
}

/** An instant from epoch microseconds, written with six fraction digits. */
export function fromEpochMicros(micros: number): PreciseDate {
  const millis = Math.floor(micros / 1000);
  return new PreciseDate(millis, (micros - millis * 1000) * 1000, 6);
}

/**
 * ISO 8601 in UTC with the provider's fraction digits (at least milliseconds, as `toISOString`):
 * `2024-12-06T19:23:38.618331Z` for a Trata time, `2023-11-07T05:31:56.000Z` for a plain `Date`.
 */
export function formatInstant(date: Date): string {
  const iso = date.toISOString(); // always `…ss.mmmZ`
  if (!(date instanceof PreciseDate) || date.fractionDigits === 3) return iso;
  const below = String(date.nanosOfMillisecond).padStart(6, '0').slice(0, date.fractionDigits - 3);
  return `${iso.slice(0, -1)}${below}Z`;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})?$/;

export interface ParseInstantOptions {
  /** How a text without a zone is read: as UTC (providers that write UTC without saying so), or refused. */
  zoneless: 'utc' | 'reject';
}

/**
 * Parses an ISO 8601 date-time, keeping up to nine fraction digits. `Date.parse` would read a
 * zoneless text as local time and drop everything past the millisecond, hence this parser.
 * Returns null for anything that is not a valid date-time (31 February, hour 24, a missing zone
 * when zones are required).
 */
export function parseInstant(text: string, options: ParseInstantOptions): PreciseDate | null {
  const match = DATE_TIME.exec(text.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone] = match;
  if (zone === undefined && options.zoneless === 'reject') return null;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return null;
  const digits = fraction.padEnd(9, '0');
  const millis = Number(digits.slice(0, 3));
  const local = Date.UTC(y, mo - 1, d, h, mi, s, millis);
  // Date.UTC rolls 31 February over into March; a real timestamp never needs that.
  if (Number.isNaN(local) || new Date(local).getUTCDate() !== d) return null;
  const epochMillis = local - zoneOffsetMinutes(zone) * 60_000;
  if (Number.isNaN(new Date(epochMillis).getTime())) return null;
  return new PreciseDate(epochMillis, Number(digits.slice(3)), fraction.length);
}

/** Parses a provider's time that may be absent; zoneless is UTC, as every provider document implies. */
export function parseProviderInstant(text: string | null | undefined): PreciseDate | null {
  return text === null || text === undefined ? null : parseInstant(text, { zoneless: 'utc' });
}

/** Seconds from `start` to `end` at full precision, or null when either is missing or end precedes start. */
export function secondsBetween(start: Date | null, end: Date | null): number | null {
  if (start === null || end === null || compareInstants(end, start) < 0) return null;
  const nanos = (end.getTime() - start.getTime()) * 1_000_000 + (nanosOfMillisecond(end) - nanosOfMillisecond(start));
  return nanos / 1e9;
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}
