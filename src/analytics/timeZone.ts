import { AnalyticsInputError } from './analyticsFilter.ts';

/**
 * The canonical IANA name of a time zone (`europe/berlin` → `Europe/Berlin`, `Etc/UTC` → `UTC`),
 * or BAD_USER_INPUT naming `timeZone`. Offsets (`+02:00`) are refused although `Intl` takes them:
 * PostgreSQL reads `+02:00` as a POSIX zone with the sign flipped (two hours west of UTC), so the
 * buckets and their labels would disagree. The canonical name is what both PostgreSQL and the
 * labels are given, and what the answer echoes.
 */
export function canonicalTimeZone(timeZone: string): string {
  let canonical: string | undefined;
  try {
    canonical = new Intl.DateTimeFormat('en', { timeZone }).resolvedOptions().timeZone;
  } catch {
    canonical = undefined;
  }
  // Intl resolves offsets to themselves (`+02`, `-0530` → `+02:00`, `-05:30`); IANA names start with a letter.
  if (canonical === undefined || !/^[A-Za-z]/.test(canonical)) {
    throw new AnalyticsInputError(
      `timeZone: "${timeZone.slice(0, 80)}" is not an IANA time zone name (e.g. "Europe/Berlin", "UTC"); offsets such as "+02:00" are not accepted`,
      'timeZone',
    );
  }
  return canonical;
}

/** Refuses what `canonicalTimeZone` refuses. */
export function checkTimeZone(timeZone: string): void {
  canonicalTimeZone(timeZone);
}
