import { createHash } from 'node:crypto';
import { z } from 'zod';
import { formatInstant } from '../domain/preciseDate.ts';
import { BadUserInputError } from '../errors.ts';

/**
 * The one paging module every connection uses (`conversations`, `agents`, `prospects`, `batches`,
 * `ConversationBatch.items`, and the nested conversation lists): one cursor format and one check
 * of `first`, so every list refuses bad paging arguments the same way, as BAD_USER_INPUT naming
 * the argument, instead of each list failing in its own way.
 */

/** The largest page any connection serves; larger requests are refused, never silently cut. */
export const MAX_PAGE_SIZE = 100;

/** Longest cursor accepted; the gateway's own are well under it. */
const MAX_CURSOR_LENGTH = 512;

/** Encodes and decodes one connection's positions. */
export interface CursorCodec<P> {
  /** `scope`: the list's arguments (`argumentsScope`), when it has any besides `first` and `after`. */
  encode(position: P, scope?: string): string;
  /**
   * Throws BAD_USER_INPUT naming `after` for anything this codec did not issue, and for a cursor
   * issued under other arguments than `scope`.
   */
  decode(cursor: string, scope?: string): P;
}

/**
 * Opaque cursors: base64url JSON with the connection's kind, so a cursor of one list is refused by
 * another instead of being misread as a position in it, and with a digest of the list's arguments
 * (its filter, its parent), so a cursor of the same list under another filter is refused too: read
 * as a position there it skipped rows or claimed a previous page that was not there. The
 * position's schema checks everything else a client could change.
 */
export function cursorCodec<S extends z.ZodType<Record<string, unknown>>>(kind: string, schema: S): CursorCodec<z.output<S>> {
  return {
    // `s` even when empty: only cursors issued before arguments were recorded lack it (see decode).
    encode: (position, scope) => Buffer.from(JSON.stringify({ ...position, k: kind, s: scope ?? '' }), 'utf8').toString('base64url'),
    decode: (cursor, scope) => {
      const json = parseCursor(cursor);
      // Only an object naming a list is a cursor at all; `[]`, `null` or `{}` are not anyone's.
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalidCursor();
      const { k: issuedFor, s: issuedUnder }: { k?: unknown; s?: unknown } = json;
      if (typeof issuedFor !== 'string' || (issuedUnder !== undefined && typeof issuedUnder !== 'string')) throw invalidCursor();
      if (issuedFor !== kind) throw new BadUserInputError('Argument "after" is a cursor of another list', { argument: 'after' });
      // A position this list never issues is no cursor, whatever it was issued under.
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw invalidCursor();
      // Every list's scope names its workspace, so a cursor without `s` (issued before arguments
      // were recorded) is read by none: it could be any workspace's or filter's, and a batch's
      // items took another batch's old cursor as an index here (an outside trial).
      if ((issuedUnder ?? '') !== (scope ?? '')) {
        throw new BadUserInputError('Argument "after" is a cursor of this list under other arguments (a filter, a parent or another API key\'s workspace): page with the arguments it came from', {
          argument: 'after',
        });
      }
      return parsed.data;
    },
  };
}

/**
 * The digest a list's cursors carry of its arguments besides `first` and `after`: the same for
 * the same filter however it is written (keys and list items in any order, absent or null alike),
 * different for any other. An empty string when there are none.
 */
export function argumentsScope(listArguments: object): string {
  const canonical = canonicalArguments(listArguments);
  if (canonical === undefined) return '';
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 16);
}

function canonicalArguments(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return formatInstant(value);
  if (Array.isArray(value)) return value.map((item) => JSON.stringify(canonicalArguments(item) ?? null)).sort();
  if (typeof value !== 'object') return value;
  const entries = Object.entries(value)
    .map(([key, inner]) => [key, canonicalArguments(inner)] as const)
    .filter(([, inner]) => inner !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

/**
 * `after` decoded, or null when absent; an empty string is no cursor the gateway issued, not "no
 * cursor". `scopeOf` gives the list's `argumentsScope`, asked for only when there is a cursor.
 */
export function decodeAfter<P>(codec: CursorCodec<P>, after: string | null | undefined, scopeOf?: () => string): P | null {
  return after === null || after === undefined ? null : codec.decode(after, scopeOf?.());
}

/** The JSON inside a cursor; only the canonical base64url form of a JSON text is accepted. */
function parseCursor(cursor: string): unknown {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
  const bytes = Buffer.from(cursor, 'base64url');
  // Base64 decoding is lenient (stray trailing characters are dropped): re-encoding catches edits.
  if (bytes.toString('base64url') !== cursor) throw invalidCursor();
  const text = bytes.toString('utf8');
  // JSON.stringify writes a surrogate as an escape only when it is lone, and no position holds one.
  if (/\\u[dD][89a-fA-F]/.test(text)) throw invalidCursor();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidCursor();
  }
}

function invalidCursor(): BadUserInputError {
  return new BadUserInputError('Argument "after" is not a valid cursor', { argument: 'after' });
}

/**
 * Checks `first` against the documented bounds. The schema declares each list's default;
 * `fallback` only applies when a client sends an explicit null.
 */
export function checkFirst(first: number | null | undefined, fallback: number): number {
  const value = first ?? fallback;
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`Argument "first" must be between 0 and ${MAX_PAGE_SIZE}`, { argument: 'first', max: MAX_PAGE_SIZE });
  }
  return value;
}
