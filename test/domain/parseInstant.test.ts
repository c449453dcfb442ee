import { describe, expect, it } from 'vitest';
import { formatInstant, isInstant, nanosOfMillisecond, parseInstant, parseRfc3339 } from '../../src/domain/preciseDate.ts';

const utc = (text: string) => parseInstant(text, { zoneless: 'utc' });
const zoned = (text: string) => parseInstant(text, { zoneless: 'reject' });
const shown = (date: Date | null) => (date === null ? null : [formatInstant(date), nanosOfMillisecond(date)]);

// The providers' own shape is read character by character (a query reads thousands); every other
// shape goes to the general parser. Both must answer exactly as before.
describe('parseInstant on the shape providers write', () => {
  it('keeps every fraction digit, zoned or read as UTC', () => {
    expect(shown(utc('2024-11-11T05:06:21.049339'))).toEqual(['2024-11-11T05:06:21.049339Z', 339_000]);
    expect(shown(utc('2024-11-11T05:06:21.049339Z'))).toEqual(['2024-11-11T05:06:21.049339Z', 339_000]);
    expect(shown(zoned('2023-11-07T05:31:56Z'))).toEqual(['2023-11-07T05:31:56.000Z', 0]);
    expect(shown(zoned('2023-11-07T05:31:56.5Z'))).toEqual(['2023-11-07T05:31:56.500Z', 0]);
    expect(shown(zoned('2023-11-07T05:31:56.123456789Z'))).toEqual(['2023-11-07T05:31:56.123456789Z', 456_789]);
    expect(utc('2024-11-11T05:06:21.049339')!.getTime()).toBe(Date.UTC(2024, 10, 11, 5, 6, 21, 49));
  });

  it('scales one to nine fraction digits, each count exactly', () => {
    const digits = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(digits.map((count) => shown(utc(`2024-11-11T05:06:21.${'987654321'.slice(0, count)}`)))).toEqual([
      ['2024-11-11T05:06:21.900Z', 0],
      ['2024-11-11T05:06:21.980Z', 0],
      ['2024-11-11T05:06:21.987Z', 0],
      ['2024-11-11T05:06:21.9876Z', 600_000],
      ['2024-11-11T05:06:21.98765Z', 650_000],
      ['2024-11-11T05:06:21.987654Z', 654_000],
      ['2024-11-11T05:06:21.9876543Z', 654_300],
      ['2024-11-11T05:06:21.98765432Z', 654_320],
      ['2024-11-11T05:06:21.987654321Z', 654_321],
    ]);
  });

  it('refuses what is not a date-time, exactly as the general parser does', () => {
    expect(zoned('2024-12-06T19:23:38.618331')).toBeNull(); // no zone where one is required
    expect(utc('2024-02-30T00:00:00')).toBeNull();
    expect(utc('2023-02-29T00:00:00')).toBeNull();
    expect(utc('2100-02-29T00:00:00')).toBeNull();
    expect(shown(utc('2024-02-29T00:00:00'))).toEqual(['2024-02-29T00:00:00.000Z', 0]);
    expect(shown(utc('2000-02-29T00:00:00'))).toEqual(['2000-02-29T00:00:00.000Z', 0]);
    expect(utc('2024-12-06T24:00:00')).toBeNull();
    expect(utc('2024-13-06T10:00:00')).toBeNull();
    expect(utc('2024-12-00T10:00:00')).toBeNull();
    expect(utc('2024-12-06T10:60:00')).toBeNull();
    expect(utc('2024-12-06T10:00:00.')).toBeNull();
    expect(utc('2024-12-06T10:00:00.1234567890')).toBeNull();
    expect(utc('2024-12-O6T10:00:00')).toBeNull();
  });

  it('isInstant (a wire schema\'s check, which makes no time) says exactly whether parseInstant reads a text', () => {
    const texts = [
      '2024-11-11T05:06:21.049339', '2024-11-11T05:06:21.049339Z', '2023-11-07T05:31:56Z', '2023-11-07T05:31:56.123456789Z',
      '2024-12-06T19:23:38.618331', '2024-02-30T00:00:00', '2023-02-29T00:00:00', '2024-02-29T00:00:00', '2024-12-06T24:00:00',
      '2024-12-00T10:00:00', '2024-12-06T10:00:00.', '2024-12-06T10:00:00.1234567890', '2024-12-O6T10:00:00',
      '2024-12-06 10:00:00+02:00', '2024-12-06T10:00+02:00', '0001-01-01 00:30:00+01:00', 'not-a-date', '', '2024-11-11',
    ];
    for (const zoneless of ['utc', 'reject'] as const) {
      expect(texts.map((text) => isInstant(text, { zoneless }))).toEqual(texts.map((text) => parseInstant(text, { zoneless }) !== null));
    }
    expect(texts.filter((text) => isInstant(text, { zoneless: 'utc' })).length).toBe(9);
  });

  it('reads the years 0000 to 0099 as written, in both parsers (Date.UTC reads them as 1900 to 1999)', () => {
    expect(shown(utc('0050-06-01T00:00:00'))).toEqual(['0050-06-01T00:00:00.000Z', 0]);
    expect(shown(zoned('0099-12-31T23:59:59.999999Z'))).toEqual(['0099-12-31T23:59:59.999999Z', 999_000]);
    expect(shown(zoned('0000-02-29T12:00:00Z'))).toEqual(['0000-02-29T12:00:00.000Z', 0]); // year 0 is a leap year
    expect(shown(zoned('0050-06-01T02:00:00+02:00'))).toEqual(['0050-06-01T00:00:00.000Z', 0]);
    expect(shown(zoned('0001-01-01 00:30:00+01:00'))).toEqual(['0000-12-31T23:30:00.000Z', 0]);
    expect(utc('0100-02-29T00:00:00')).toBeNull();
    expect(shown(utc('0100-03-01T00:00:00'))).toEqual(['0100-03-01T00:00:00.000Z', 0]);
  });

  it('counts every day of years 0000 to 9999 as Date does (the epoch is computed, not asked of Date.UTC)', () => {
    // What Date itself counts for a date and time, years 0-99 included (setUTCFullYear takes them as written).
    const dateCounts = (year: number, month: number, day: number, clock: number) => {
      const date = new Date(0);
      date.setUTCFullYear(year, month - 1, day);
      return date.getTime() + clock;
    };
    const pad = (value: number, width: number) => String(value).padStart(width, '0');
    const mismatches: string[] = [];
    const check = (year: number, month: number, day: number) => {
      // A different time of day on each date, so hours, minutes, seconds and milliseconds all vary.
      const [hour, minute, second, milli] = [(year + day) % 24, (month * 7 + day) % 60, (year * 3 + day) % 60, (year * 31 + day * 7) % 1000];
      const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(milli, 3)}`;
      const expected = dateCounts(year, month, day, ((hour * 60 + minute) * 60 + second) * 1000 + milli);
      for (const parsed of [utc(text), utc(`${text}+00:00`)]) if (parsed?.getTime() !== expected) mismatches.push(text);
    };
    const daysIn = (year: number, month: number) => new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 1 : 0);
    // Every day of the years around each rule's edge (leap years, centuries, 400-year eras, the epoch)…
    for (const [from, to] of [[0, 101], [396, 404], [1599, 1601], [1899, 1901], [1968, 1972], [1999, 2001], [2099, 2101], [2399, 2401], [9998, 9999]] as const) {
      for (let year = from; year <= to; year++) for (let month = 1; month <= 12; month++) for (let day = 1; day <= daysIn(year, month); day++) check(year, month, day);
    }
    // …and the first and last day of every month of every year.
    for (let year = 0; year <= 9999; year++) for (let month = 1; month <= 12; month++) for (const day of [1, daysIn(year, month)]) check(year, month, day);
    expect(mismatches).toEqual([]);
  });

  it('leaves other shapes to the general parser', () => {
    expect(shown(zoned('2024-12-06T21:23:38.618332+02:00'))).toEqual(['2024-12-06T19:23:38.618332Z', 332_000]);
    expect(shown(zoned('2024-12-06 19:23:38z'))).toEqual(['2024-12-06T19:23:38.000Z', 0]);
    expect(shown(utc(' 2024-12-06T19:23 '))).toEqual(['2024-12-06T19:23:00.000Z', 0]);
  });
});

describe('zone offsets', () => {
  it('refuses an offset no clock has (hours past 23, minutes past 59), from anyone', () => {
    for (const offset of ['+99:00', '+23:99', '+24:00', '-24:00', '+2400']) {
      expect([offset, zoned(`2026-01-01T00:00:00${offset}`)]).toEqual([offset, null]);
      expect([offset, utc(`2026-01-01T00:00:00${offset}`)]).toEqual([offset, null]);
    }
    expect(shown(zoned('2026-01-01T00:00:00+23:59'))).toEqual(['2025-12-31T00:01:00.000Z', 0]);
    expect(shown(zoned('2026-01-01T00:00:00-14:00'))).toEqual(['2026-01-01T14:00:00.000Z', 0]);
  });
});

describe('parseRfc3339 (what clients send)', () => {
  it('takes RFC 3339 date-times, with every fraction digit', () => {
    expect(shown(parseRfc3339('2024-12-06T21:23:38.618332+02:00'))).toEqual(['2024-12-06T19:23:38.618332Z', 332_000]);
    expect(shown(parseRfc3339('2024-12-06t19:23:38z'))).toEqual(['2024-12-06T19:23:38.000Z', 0]);
    expect(shown(parseRfc3339('2023-11-07T05:31:56.123456789Z'))).toEqual(['2023-11-07T05:31:56.123456789Z', 456_789]);
  });

  it('refuses the shapes the providers\' parser tolerates: no seconds, no zone, an offset without its colon, a space, padding', () => {
    for (const text of ['2026-01-01T00:00Z', '2026-01-01T00:00:00', '2026-01-01T00:00:00+0100', '2026-01-01 00:00:00Z', ' 2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z ']) {
      expect([text, parseRfc3339(text)]).toEqual([text, null]);
    }
  });
});
