import { atMicrosecond, LAST_WRITABLE_MILLISECOND, nanosOfMillisecond, parseInstant, type PreciseDate } from '../../domain/preciseDate.ts';

/**
 * Trata writes timestamps without a time zone and with microseconds (`2024-11-11T05:06:21.049339`).
 * We read them as UTC: the document's one zoned value (`2023-11-07T05:31:56Z` in the request
 * sample) is UTC, and its recording ids (`fil.1731301754…`) carry unix seconds that agree with the
 * naive times read as UTC.
 */

/**
 * Parses a Trata timestamp, zoneless (read as UTC) or zoned, keeping every fraction digit Trata
 * wrote: a record's own `createdAt` must compare equal to itself when it comes back as a filter
 * bound, and records stored within one millisecond keep Trata's order.
 * Returns null for anything that is not a valid date-time.
 */
export function parseTrataTimestamp(text: string | null | undefined): PreciseDate | null {
  if (text === null || text === undefined) return null;
  return parseInstant(text, { zoneless: 'utc' });
}

/**
 * The `createdAfter` query value that makes Trata's inclusive bound strict: Trata keeps
 * microseconds, so "after t" is "at or after the next microsecond past t". Null when that
 * microsecond is past year 9999: no Trata record is after t.
 */
export function trataCreatedAfterBound(after: Date): string | null {
  return writableTrataTimestamp(atMicrosecond(after, 'after'));
}

/**
 * The `createdBefore` query value (exclusive, like the gateway's filter), rounded up to Trata's
 * microsecond so that a bound given in nanoseconds still lets the microsecond below it through.
 * Null when rounding up passes year 9999: every Trata record is before it, so none is needed.
 */
export function trataCreatedBeforeBound(before: Date): string | null {
  return writableTrataTimestamp(atMicrosecond(before, 'ceil'));
}

/** A bound as Trata writes it, or null past the last microsecond of year 9999 (no Trata time is). */
function writableTrataTimestamp(bound: PreciseDate): string | null {
  return bound.getTime() > LAST_WRITABLE_MILLISECOND ? null : formatTrataTimestamp(bound);
}

/** Formats an instant the way Trata writes times: UTC, no zone, microseconds. */
export function formatTrataTimestamp(date: Date): string {
  const micros = Math.floor(nanosOfMillisecond(date) / 1000);
  return `${date.toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}`;
}
