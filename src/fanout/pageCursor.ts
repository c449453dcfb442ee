import type { BatchPosition } from '../store/queries/batches.ts';

/**
 * Opaque page cursors. Clients pass them back unchanged; the `b1:`/`i1:` prefixes let the format
 * change later without misreading old cursors. A cursor that does not decode is refused.
 */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  readonly code = 'BAD_USER_INPUT' as const;
  constructor() {
    super('The page cursor is not one this API issued');
  }
}

export function encodeBatchCursor(position: BatchPosition): string {
  return Buffer.from(`b1:${position.createdAt.toISOString()}:${position.id}`, 'utf8').toString('base64url');
}

export function decodeBatchCursor(cursor: string): BatchPosition {
  const match = /^b1:(\d{4}-\d\d-\d\dT[\d:.]+Z):([0-9a-f-]{36})$/.exec(decode(cursor));
  const createdAt = match?.[1] === undefined ? null : new Date(match[1]);
  if (!match?.[2] || !createdAt || Number.isNaN(createdAt.getTime())) throw new InvalidCursorError();
  return { createdAt, id: match[2] };
}

export function encodeItemCursor(index: number): string {
  return Buffer.from(`i1:${index}`, 'utf8').toString('base64url');
}

export function decodeItemCursor(cursor: string): number {
  const match = /^i1:(\d{1,9})$/.exec(decode(cursor));
  if (!match?.[1]) throw new InvalidCursorError();
  return Number(match[1]);
}

function decode(cursor: string): string {
  return /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
}
