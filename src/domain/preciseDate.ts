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
 * The first and last milliseconds a timestamp can hold, in UTC: RFC 3339 writes four-digit years,
 * and so does every provider; PostgreSQL has no year 0000. A bound rounded past the last
 * (`toISOString` would write `+010000-…`, which providers refuse) is beyond every record.
 */
export const FIRST_WRITABLE_MILLISECOND = Date.parse('0001-01-01T00:00:00.000Z');
export const LAST_WRITABLE_MILLISECOND = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * An exclusive upper bound for a provider that compares whole milliseconds: the instant rounded up
 * to the next millisecond when it has a part below one (`toISOString` alone would round down, and
 * `created < .304` would drop a record at `.304` that is before `.3045`). Whole milliseconds stay.
 * Null when rounding up passes year 9999: every record is before the bound, so none is needed.
 */
export function millisecondUpperBound(date: Date): Date | null {
  const millis = nanosOfMillisecond(date) === 0 ? date.getTime() : date.getTime() + 1;
  return millis > LAST_WRITABLE_MILLISECOND ? null : new Date(millis);
}

/** Orders two instants at full precision (milliseconds, then the part below). */
export function compareInstants(a: Date, b: Date): number {
  const byMillis = a.getTime() - b.getTime();
  if (byMillis !== 0) return byMillis;
  return nanosOfMillisecond(a) - nanosOfMillisecond(b);
}

/**
 * `date` at microsecond precision, written with six fraction digits: its part below a microsecond
 * dropped (`floor`), rounded up (`ceil`), or the first microsecond after it (`after`). Computed on
 * the millisecond and the microsecond within it: epoch microseconds pass 2^53 after year 2255,
 * where a Number would round them.
 */
export function atMicrosecond(date: Date, rounding: 'floor' | 'ceil' | 'after'): PreciseDate {
  const nanos = nanosOfMillisecond(date);
  const micro = rounding === 'ceil' ? Math.ceil(nanos / 1000) : Math.floor(nanos / 1000) + (rounding === 'after' ? 1 : 0);
  return new PreciseDate(date.getTime() + Math.floor(micro / 1000), (micro % 1000) * 1000, 6);
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
  const local = utcEpochMillis(y, mo - 1, d, h, mi, s, millis);
  // The epoch count rolls 31 February over into March (as Date.UTC does); a real timestamp never needs that.
  if (new Date(local).getUTCDate() !== d) return null;
  const epochMillis = local - zoneOffsetMinutes(zone) * 60_000;
  if (Number.isNaN(new Date(epochMillis).getTime())) return null;
  return new PreciseDate(epochMillis, Number(digits.slice(3)), fraction.length);
}

/**
 * Whether `parseInstant` reads `text` as a time, without making one: what a wire schema checks,
 * where the time itself is made only if its field is read (a page carries thousands of transcript
 * times, and making each twice doubled their cost).
 */
export function isInstant(text: string, options: ParseInstantOptions): boolean {
  const common = readCommonShape(text, options);
  return common !== undefined ? common : parseInstant(text, options) !== null;
}

/** Parses a provider's time that may be absent; zoneless is UTC, as every provider document implies. */
export function parseProviderInstant(text: string | null | undefined): PreciseDate | null {
  return text === null || text === undefined ? null : parseInstant(text, { zoneless: 'utc' });
}

/**
 * Whether `parseProviderInstant` reads `text`, checked without making the time: a wire schema's
 * check (`timestampText`), where the time is made only if its field is read. Only ISO 8601 is a
 * time: a fallback to `Date.parse` read "1" as 2001-01-01, "12345" as the year 12345 and 31
 * February as 2 March, in the server's zone (an outside trial).
 */
export function isProviderInstant(text: string): boolean {
  return isInstant(text, { zoneless: 'utc' });
}

/** Seconds from `start` to `end` at full precision, or null when either is missing or end precedes start. */
export function secondsBetween(start: Date | null, end: Date | null): number | null {
  if (start === null || end === null || compareInstants(end, start) < 0) return null;
  const nanos = (end.getTime() - start.getTime()) * 1_000_000 + (nanosOfMillisecond(end) - nanosOfMillisecond(start));
  return nanos / 1e9;
}

const DIGIT_0 = 48;
/** Nanoseconds in one unit of the n-th fraction digit: `10 ** (9 - n)` without `**`, which cost more than the rest of a parse (issue 9). */
const NANOS_PER_FRACTION_UNIT = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The parts of a time `readCommonShape` read last: one object, reused, so checking a time allocates nothing. */
const commonShape = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, nanos: 0, fractionDigits: 0 };

/**
 * The shape every provider writes, `YYYY-MM-DDTHH:MM:SS[.f{1,9}][Z]`, read character by
 * character into `commonShape`: a query reads thousands of them (each transcript message has
 * one), and the regular expression with its substrings was a visible share of a query's CPU
 * (issue 9). Answers exactly what the general parser answers: true when it is a valid time, false
 * when it has the shape but is no time (31 February, or zoneless where refused); `undefined`
 * hands any other shape (offsets, no seconds, spaces) to it.
 */
function readCommonShape(text: string, options: ParseInstantOptions): boolean | undefined {
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
    nanos = fraction * NANOS_PER_FRACTION_UNIT[fractionDigits]!;
  }
  if (!zoned && options.zoneless === 'reject') return false;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || day < 1) return false;
  const leap = month === 2 && (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
  if (day > DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0)) return false;
  commonShape.year = year;
  commonShape.month = month;
  commonShape.day = day;
  commonShape.hour = hour;
  commonShape.minute = minute;
  commonShape.second = second;
  commonShape.nanos = nanos;
  commonShape.fractionDigits = fractionDigits;
  return true;
}

function parseCommonShape(text: string, options: ParseInstantOptions): PreciseDate | null | undefined {
  const read = readCommonShape(text, options);
  if (read !== true) return read === false ? null : undefined;
  const { year, month, day, hour, minute, second, nanos, fractionDigits } = commonShape;
  const millis = Math.floor(nanos / 1_000_000);
  return new PreciseDate(utcEpochMillis(year, month - 1, day, hour, minute, second, millis), nanos - millis * 1_000_000, fractionDigits);
}

/**
 * `Date.UTC` for every four-digit year, by integer arithmetic: `Date.UTC` reads the years 0 to 99
 * as 1900 to 1999, so `0050-06-01` would be read as 1950 (a filter bound moved by nineteen
 * centuries), and it took ~40 ns more than this of a ~300 ns parse (a page-50 query parses about
 * 600 provider times, most of them transcript messages'). Fields are in range (the parsers check
 * them before); a day past its month's end rolls over as `Date.UTC` rolls it.
 */
function utcEpochMillis(year: number, monthIndex: number, day: number, hour: number, minute: number, second: number, millis: number): number {
  return daysFromCivil(year, monthIndex + 1, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (what `Date` counts in), for years 0 to 9999:
 * Howard Hinnant's days_from_civil (https://howardhinnant.github.io/date_algorithms.html), which
 * counts in 400-year eras starting in March so that a leap day ends its year.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
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

/**
 * A client's date-time (a `DateTime` input, an export's bound) as an instant, or why it is
 * refused: not RFC 3339, or outside the years 0001-9999 once in UTC (`0001-01-01T00:30:00+01:00`
 * is in year 0000), where no provider's time and no stored row can be.
 */
export function readClientInstant(text: string): { instant: PreciseDate } | { refused: string } {
  const outOfRange = { refused: 'must be within the years 0001 to 9999 in UTC' };
  const instant = parseRfc3339(text);
  if (instant === null) {
    // `10000-01-01T00:00:00Z`, `+010000-…`: a year past four digits is a range, not a format, to fix.
    if (/^[+-]?\d{5,}-/.test(text)) return outOfRange;
    // RFC 3339 allows any number of fraction digits; nanoseconds are the finest time kept.
    if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}\.\d{10,}/.test(text)) return { refused: 'has more than nine fraction digits (nanoseconds are the finest time kept)' };
    return { refused: 'must be an RFC 3339 date-time with a zone, such as "2024-12-06T19:23:38.618331Z"' };
  }
  const millis = instant.getTime();
  return millis < FIRST_WRITABLE_MILLISECOND || millis > LAST_WRITABLE_MILLISECOND ? outOfRange : { instant };
}
