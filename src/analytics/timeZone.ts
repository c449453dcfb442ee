import { BadUserInputError } from '../errors.ts';
import type { Queryable } from '../store/database.ts';

/**
 * The IANA name of a time zone as given, its letter case fixed (`europe/berlin` → `Europe/Berlin`,
 * `asia/kolkata` → `Asia/Kolkata`), or BAD_USER_INPUT naming `timeZone`. Offsets (`+02:00`)
 * are refused although `Intl` takes them: PostgreSQL reads `+02:00` as a POSIX zone with the sign
 * flipped (two hours west of UTC), so the buckets and their labels would disagree.
 *
 * Not `Intl`'s resolved name as such: V8 resolves to ICU's canonical names, which are often the
 * old IANA aliases (`Asia/Kolkata` → `Asia/Calcutta`, `Europe/Kyiv` → `Europe/Kiev`); the answer
 * would echo a name the client never sent, and a PostgreSQL whose zone files lack the old aliases
 * would refuse it. Where ICU's name differs by more than case, the database's list of names gives the
 * spelling; PostgreSQL matches zone names without regard to case, so a name it lacks works as given.
 */
export async function canonicalTimeZone(timeZone: string, database: Queryable): Promise<string> {
  const resolved = icuName(timeZone);
  if (resolved.toLowerCase() === timeZone.toLowerCase()) return resolved;
  // ICU knows it by another name (an alias either way): the database's own list spells every name.
  return (await zoneNamesOf(database)).get(timeZone.toLowerCase()) ?? timeZone;
}

/** ICU's name for a zone, or BAD_USER_INPUT naming `timeZone`. */
function icuName(timeZone: string): string {
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
  return canonical;
}

/**
 * Every zone name the database knows (`pg_timezone_names`, ~600), by its lower case: read once per
 * database, and only when a name ICU spells otherwise is asked for (a read takes ~200 ms on PGlite).
 */
const zoneNames = new WeakMap<Queryable, Promise<Map<string, string>>>();

function zoneNamesOf(database: Queryable): Promise<Map<string, string>> {
  let names = zoneNames.get(database);
  if (!names) {
    names = database
      .query<{ name: string }>('SELECT name FROM pg_timezone_names')
      .then(({ rows }) => new Map(rows.map(({ name }) => [name.toLowerCase(), name])));
    // A failed read (the store out of reach) is tried again by the next query, not remembered.
    names.catch(() => zoneNames.delete(database));
    zoneNames.set(database, names);
  }
  return names;
}

/** Refuses what `canonicalTimeZone` refuses. */
export function checkTimeZone(timeZone: string): void {
  icuName(timeZone);
}
