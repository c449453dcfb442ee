import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { QueryResult } from './database.ts';

/** One statement on PGlite, in the store's result shape: the gateway's in-memory store and the store's process both run it. */
export async function runQuery<Row extends object>(
  target: PGlite | Transaction,
  sql: string,
  params: readonly unknown[] | undefined,
): Promise<QueryResult<Row>> {
  const result = await target.query<Row>(sql, params === undefined ? undefined : [...params]);
  return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
}
