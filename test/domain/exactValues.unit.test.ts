import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/decimal.ts';
import { compareInstants, formatInstant, parseInstant, PreciseDate, secondsBetween } from '../../src/domain/preciseDate.ts';

describe('Decimal', () => {
  it('reads what the provider wrote from the float JSON.parse made of it', () => {
    expect(Decimal.fromJsonNumber(0.0352).toString()).toBe('0.0352');
    expect(Decimal.fromJsonNumber(1e-7).toString()).toBe('0.0000001');
    expect(Decimal.fromJsonNumber(3).toString()).toBe('3');
    expect(Decimal.fromJsonNumber(-2.5).toString()).toBe('-2.5');
    expect(Decimal.fromJsonNumber(1e21).toString()).toBe('1000000000000000000000');
    expect(() => Decimal.fromJsonNumber(Number.NaN)).toThrow(RangeError);
  });

  it('drops trailing fraction zeros without changing the amount', () => {
    expect(['0.10', '2.000', '-1.2500', '0', '0.000', '30', '0.0352'].map((text) => Decimal.parse(text)!.trimmed().toString()))
      .toEqual(['0.1', '2', '-1.25', '0', '0', '30', '0.0352']);
  });

  it('adds exactly where floats do not', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    const sum = Decimal.parse('0.1')!.plus(Decimal.parse('0.2')!);
    expect(sum.toString()).toBe('0.3');
    expect(sum.equals(Decimal.parse('0.30')!)).toBe(true);
    expect(Decimal.parse('-0.05')!.plus(Decimal.parse('0.0049')!).toString()).toBe('-0.0451');
  });

  it('keeps the scale it was given and refuses what is not a decimal', () => {
    expect(Decimal.parse('0.10')!.toString()).toBe('0.10');
    expect(Decimal.parse('12.5e2')!.toString()).toBe('1250');
    expect(Decimal.parse('1,5')).toBeNull();
    expect(Decimal.parse('')).toBeNull();
    expect(Decimal.parse('Infinity')).toBeNull();
  });
});

describe('PreciseDate', () => {
  it('keeps digits below the millisecond, orders by them and writes them back', () => {
    const a = parseInstant('2024-12-06T19:23:38.618331Z', { zoneless: 'reject' })!;
    const b = parseInstant('2024-12-06T21:23:38.618332+02:00', { zoneless: 'reject' })!;
    expect(a.getTime()).toBe(b.getTime());
    expect(compareInstants(a, b)).toBeLessThan(0);
    expect(compareInstants(b, a)).toBeGreaterThan(0);
    expect(formatInstant(a)).toBe('2024-12-06T19:23:38.618331Z');
    expect(formatInstant(parseInstant('2024-12-06T19:23:38.1234567Z', { zoneless: 'reject' })!)).toBe('2024-12-06T19:23:38.1234567Z');
    expect(formatInstant(new Date('2024-12-06T19:23:38Z'))).toBe('2024-12-06T19:23:38.000Z');
    expect(formatInstant(new PreciseDate(0, 5_000, 6))).toBe('1970-01-01T00:00:00.000005Z');
  });

  it('reads zoneless text as UTC only when asked to, and refuses impossible dates', () => {
    expect(parseInstant('2024-12-06T19:23:38.618331', { zoneless: 'reject' })).toBeNull();
    expect(formatInstant(parseInstant('2024-12-06T19:23:38.618331', { zoneless: 'utc' })!)).toBe('2024-12-06T19:23:38.618331Z');
    expect(parseInstant('2024-02-30T00:00:00Z', { zoneless: 'reject' })).toBeNull();
    expect(parseInstant('2024-12-06T24:00:00Z', { zoneless: 'reject' })).toBeNull();
  });

  it('measures seconds between instants at full precision', () => {
    const start = parseInstant('2024-11-11T05:06:20.733912', { zoneless: 'utc' });
    const end = parseInstant('2024-11-11T05:08:41.585099', { zoneless: 'utc' });
    expect(secondsBetween(start, end)).toBe(140.851187);
    expect(secondsBetween(end, start)).toBeNull();
    expect(secondsBetween(start, null)).toBeNull();
  });
});
