import type { Database } from '../../store/database.ts';

/** Rows of one query, handed out a batch at a time; `emit` resolving is the back-pressure. */
export interface RowBatchSource {
  /**
   * Calls `emit` with each batch in order and waits for it before reading the next one. Stops
   * (closing the cursor) when `signal` is aborted; returns how many rows were emitted.
   */
  run(emit: (rows: Record<string, unknown>[]) => Promise<void>, signal: AbortSignal): Promise<number>;
}

export interface ExportQuery {
  /** Select list over `r` and `x`; it includes `change_seq` (the conversation's, as text), which keyset batches resume after. */
  select: string;
  /** Conditions over `r` (synced_records), parameters in `params`. */
  where: string;
  params: readonly unknown[];
  /** One row per line of a conversation (cost lines, messages), ordered by `x.position`. */
  lateral: string | null;
}

export const BATCH_ROWS = 500;

/**
 * PostgreSQL: a server-side cursor in one READ COMMITTED transaction (one snapshot for the whole
 * export), fetched a batch at a time. PGlite: keyset batches by `change_seq` (conversations), each
 * its own query, because PGlite has one connection and a transaction held open for a slow client
 * would stop every other query of the gateway.
 */
export function storeRowSource(db: Database, query: ExportQuery): RowBatchSource {
  return db.kind === 'postgres' ? cursorSource(db, query) : keysetSource(db, query);
}

/** Keyset batches' marker column: false on the one row of a conversation without lines. */
const HAS_LINE = 'keyset_has_line';

function sql(query: ExportQuery, keyset: { afterParam: string; limit: number } | null): string {
  const inner = keyset
    ? `SELECT * FROM synced_records r WHERE ${query.where} AND r.change_seq > ${keyset.afterParam}::bigint ORDER BY r.change_seq LIMIT ${keyset.limit}`
    : `SELECT * FROM synced_records r WHERE ${query.where}`;
  // A keyset batch keeps each conversation without lines as one row of nulls, so the batch's last
  // row carries the `change_seq` the next batch starts after, even when no conversation in it has lines.
  const keepLineless = keyset !== null && query.lateral !== null;
  const lateral = query.lateral ? (keepLineless ? ` LEFT JOIN LATERAL ${query.lateral} ON true` : ` CROSS JOIN LATERAL ${query.lateral}`) : '';
  const select = keepLineless ? `${query.select}, x.position IS NOT NULL AS ${HAS_LINE}` : query.select;
  return `SELECT ${select} FROM (${inner}) r${lateral} ORDER BY r.change_seq${query.lateral ? ', x.position' : ''}`;
}

function cursorSource(db: Database, query: ExportQuery): RowBatchSource {
  return {
    run: (emit, signal) =>
      db.transaction(async (tx) => {
        await tx.query(`DECLARE switchboard_export NO SCROLL CURSOR FOR ${sql(query, null)}`, query.params);
        let total = 0;
        while (!signal.aborted) {
          const { rows } = await tx.query(`FETCH FORWARD ${BATCH_ROWS} FROM switchboard_export`);
          if (rows.length === 0) break;
          await emit(rows);
          total += rows.length;
        }
        // Closing is implied by the transaction's end (commit or, when emit threw, rollback).
        return total;
      }),
  };
}

function keysetSource(db: Database, query: ExportQuery): RowBatchSource {
  // Whole conversations per batch, so a conversation's lines never straddle two batches.
  const conversationsPerBatch = query.lateral ? 50 : BATCH_ROWS;
  return {
    async run(emit, signal) {
      let after = '0';
      let total = 0;
      const text = sql(query, { afterParam: `$${query.params.length + 1}`, limit: conversationsPerBatch });
      while (!signal.aborted) {
        const { rows } = await db.query(text, [...query.params, after]);
        // Every row carries its conversation's `change_seq` (the select's `change_seq`), ordered by it.
        const next = (rows.at(-1)?.change_seq as string | undefined) ?? null;
        const lines = query.lateral ? rows.filter((row) => row[HAS_LINE] === true).map(({ [HAS_LINE]: _, ...line }) => line) : rows;
        if (lines.length > 0) {
          await emit(lines);
          total += lines.length;
        }
        if (next === null) break;
        after = next;
      }
      return total;
    },
  };
}
