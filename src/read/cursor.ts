import { z } from 'zod';
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
  encode(position: P): string;
  /** Throws BAD_USER_INPUT naming `after` for anything this codec did not issue. */
  decode(cursor: string): P;
}

/**
 * Opaque cursors: base64url JSON with the connection's kind, so a cursor of one list is refused by
 * another instead of being misread as a position in it. The position's schema checks everything
 * else a client could change.
 */
export function cursorCodec<S extends z.ZodType<Record<string, unknown>>>(kind: string, schema: S): CursorCodec<z.output<S>> {
  return {
    encode: (position) => Buffer.from(JSON.stringify({ ...position, k: kind }), 'utf8').toString('base64url'),
    decode: (cursor) => {
      const json = parseCursor(cursor);
      // Only an object naming a list is a cursor at all; `[]`, `null` or `{}` are not anyone's.
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalidCursor();
      const issuedFor: unknown = (json as { k?: unknown }).k;
      if (typeof issuedFor !== 'string') throw invalidCursor();
      if (issuedFor !== kind) throw new BadUserInputError('Argument "after" is a cursor of another list', { argument: 'after' });
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw invalidCursor();
      return parsed.data;
    },
  };
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
