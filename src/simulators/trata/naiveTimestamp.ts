/**
 * Trata's clock, as the simulator writes and reads it: UTC instants in epoch microseconds, written
 * without a zone and with six fraction digits (`2024-11-11T05:06:21.049339`), like the document.
 */

export function formatNaiveTimestamp(epochMicros: number): string {
  const millis = Math.floor(epochMicros / 1000);
  const micros = epochMicros - millis * 1000;
  return `${new Date(millis).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}`;
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Reads a timestamp from a query or request body: zoneless means UTC (as Trata writes them), a
 * zone is honoured. Returns epoch microseconds, or null when the text is not a date-time.
 */
export function parseTimestampMicros(text: string): number | null {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) return null;
  const [, dateTime = '', fraction = '', zone = 'Z'] = match;
  const seconds = Date.parse(`${dateTime}${zone}`);
  if (Number.isNaN(seconds)) return null;
  return seconds * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

export function microsFromDate(date: Date): number {
  return date.getTime() * 1000;
}
