import type { ErrorCode } from '../errors.ts';

/**
 * The body of a refusal by an HTTP route beside GraphQL, in GraphQL's shape (docs/errors.md). The
 * code is an `ErrorCode`, so a route cannot answer with one that is misspelt or undocumented.
 */
export function errorBody(code: ErrorCode, message: string, extensions: Readonly<Record<string, unknown>> = {}) {
  return { errors: [{ message, extensions: { code, ...extensions } }] };
}
