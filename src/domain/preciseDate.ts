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

/**
 * An exclusive upper bound for a provider that compares whole milliseconds: the instant rounded up
 * to the next millisecond when it has a part below one (`toISOString` alone would round down, and
 * `created < .304` would drop a record at `.304` that is before `.3045`). Whole milliseconds stay.
 */
export function millisecondUpperBound(date: Date): Date {
  return nanosOfMillisecond(date) === 0 ? new Date(date.getTime()) : new Date(date.getTime() + 1);
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
  const common = parseCommonShape(text, options);
  if (common !== undefined) return common;
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

const DIGIT_0 = 48;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The shape every provider writes, `YYYY-MM-DDTHH:MM:SS[.f{1,9}][Z]`, read character by
 * character: a query reads thousands of them (each transcript message has one), and the regular
 * expression with its substrings was a visible share of a query's CPU (issue 9). Answers exactly
 * what the general parser answers; `undefined` hands any other shape (offsets, no seconds,
 * spaces) to it.
 */
function parseCommonShape(text: string, options: ParseInstantOptions): PreciseDate | null | undefined {
  const length = text.length;
  if (length < 19 || length > 30) return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
    return undefined;
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;

  let end = length;
  const zoned = text.charCodeAt(end - 1) === 90; // 'Z'
  if (zoned) end--;
  let fractionDigits = 0;
  let nanos = 0;
  if (end > 19) {
    if (text.charCodeAt(19) !== 46) return undefined; // '.'
    fractionDigits = end - 20;
    if (fractionDigits < 1 || fractionDigits > 9) return undefined;
    const fraction = digitsAt(text, 20, fractionDigits);
    if (fraction < 0) return undefined;
    nanos = fraction * 10 ** (9 - fractionDigits);
  }
  if (!zoned && options.zoneless === 'reject') return null;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || day < 1) return null;
  const leap = month === 2 && (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
  if (day > DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0)) return null;
  const millis = Math.floor(nanos / 1_000_000);
  // Date.UTC reads years 0..99 as 1900..1999; the general parser does too, so both agree.
  const epochMillis = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (Number.isNaN(epochMillis)) return null;
  return new PreciseDate(epochMillis, nanos - millis * 1_000_000, fractionDigits);
}

/** The number written by `count` ASCII digits from `from`, or -1 when one is not a digit. */
function digitsAt(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const digit = text.charCodeAt(i) - DIGIT_0;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** The zone's offset from UTC in minutes, or NaN for an offset no clock has (`+24:00`, `+23:99`). */
function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4));
  return hours > 23 || minutes > 59 ? Number.NaN : sign * (hours * 60 + minutes);
}

/** RFC 3339's date-time exactly (section 5.6): seconds, and a zone as `Z` or `±hh:mm`. */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * A date-time a client sent (a `DateTime` argument, an export's `createdAfter`): RFC 3339 as the
 * schema says, read like any other (every fraction digit kept), or null. The providers' parser
 * tolerates more (no seconds, `+0100`, a space for the `T`), because providers write that.
 */
export function parseRfc3339(text: string): PreciseDate | null {
  return RFC_3339.test(text) ? parseInstant(text, { zoneless: 'reject' }) : null;
}
