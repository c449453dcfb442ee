/**
 * The messages between the gateway and the process that holds its embedded store
 * (`pgliteProcessClient.ts` sends requests, `pgliteProcess.ts` answers). They travel over Node's
 * IPC channel with the `advanced` serialization (the structured clone), so parameters and rows keep
 * their `Date`s, byte arrays and big integers exactly as PGlite gives and takes them.
 */

/** A statement outside a transaction, or inside the one `tx` names. */
export type StoreRequest =
  | { id: number; op: 'query'; sql: string; params: unknown[] | undefined; tx: number | null }
  | { id: number; op: 'exec'; sql: string; tx: number | null }
  /** Opens a transaction; the reply carries its number. */
  | { id: number; op: 'begin' }
  /** Commits (or rolls back) the transaction; the reply comes once PGlite has done so. */
  | { id: number; op: 'end'; tx: number; commit: boolean }
  /** Closes PGlite (a checkpoint); the process exits after the reply. */
  | { id: number; op: 'close' };

/** An error as PostgreSQL reported it: the message and its fields (SQLSTATE `code`, `constraint`, …). */
export interface WireError {
  name: string;
  message: string;
  fields: Record<string, string | number>;
}

export type StoreMessage =
  | { type: 'ready' }
  | { type: 'openFailed'; error: WireError }
  | { type: 'reply'; id: number; ok: true; rows: unknown[]; rowCount: number; tx: number | null }
  | { type: 'reply'; id: number; ok: false; error: WireError };

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
  }
  return { name: error.name, message: error.message, fields };
}

/** The error again in this process, with its fields, and a stack that shows where the statement was made here. */
export function fromWireError(wire: WireError): Error {
  const error = new Error(wire.message);
  Object.assign(error, wire.fields);
  error.name = wire.name;
  return error;
}
