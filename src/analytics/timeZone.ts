import { BadUserInputError } from '../errors.ts';

/**
 * The IANA name of a time zone as given, its letter case fixed where that is all that differs
 * (`europe/berlin` → `Europe/Berlin`), or BAD_USER_INPUT naming `timeZone`. Offsets (`+02:00`)
 * are refused although `Intl` takes them: PostgreSQL reads `+02:00` as a POSIX zone with the sign
 * flipped (two hours west of UTC), so the buckets and their labels would disagree.
 *
 * Not `Intl`'s resolved name as such: V8 resolves to ICU's canonical names, which are often the
 * old IANA aliases (`Asia/Kolkata` → `Asia/Calcutta`, `Europe/Kyiv` → `Europe/Kiev`); the answer
 * would echo a name the client never sent, and a PostgreSQL whose zone files lack the old aliases
 * would refuse it. PostgreSQL matches zone names without regard to case, so the name as given works.
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
    throw new BadUserInputError(
      `timeZone: "${timeZone.slice(0, 80)}" is not an IANA time zone name (e.g. "Europe/Berlin", "UTC"); offsets such as "+02:00" are not accepted`,
      { field: 'timeZone' },
    );
  }
  return canonical.toLowerCase() === timeZone.toLowerCase() ? canonical : timeZone;
}

/** Refuses what `canonicalTimeZone` refuses. */
export function checkTimeZone(timeZone: string): void {
  canonicalTimeZone(timeZone);
}
