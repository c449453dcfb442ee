import { z } from 'zod';
import { BadUserInputError } from '../errors.ts';

/**
 * Opaque cursors: base64url JSON with a kind, so a cursor of one list is refused by another
 * instead of being misread.
 */
export function encodeCursor(kind: string, payload: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ k: kind, ...payload }), 'utf8').toString('base64url');
}

export function decodeCursor<S extends z.ZodType>(kind: string, cursor: string, schema: S, argument = 'after'): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new BadUserInputError(`Argument "${argument}" is not a valid cursor`, { argument });
  }
  if (typeof json !== 'object' || json === null || (json as { k?: unknown }).k !== kind) {
    throw new BadUserInputError(`Argument "${argument}" is a cursor of another list`, { argument });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new BadUserInputError(`Argument "${argument}" is not a valid cursor`, { argument });
  return parsed.data;
}

/** Checks `first` against the documented bounds. */
export function checkFirst(first: number | null | undefined, max: number, fallback = 20): number {
  const value = first ?? fallback;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new BadUserInputError(`Argument "first" must be between 0 and ${max}`, { argument: 'first', max });
  }
  return value;
}
