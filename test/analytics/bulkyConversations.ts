import { generateConversations } from '../../bench/biData.ts';
import type { Queryable } from '../../src/store/database.ts';

/**
 * How many conversations `seedBulkyConversations` stores per workspace: their export is far more
 * than a stalled client's connection buffers, so the export has to wait on its client.
 *
 * Measured on loopback with Linux's default autotuned buffers (up to 4 MiB on the sending side):
 * a client that stops reading after the headers lets the gateway write about 4.3 MB, then the
 * export waits. Storing a conversation is what costs (the rollup triggers run per row), not its
 * size, so the bytes come from fewer, bigger rows: 4,000 conversations with a 3 KB summary each
 * are 14.8 MB of NDJSON and 12.9 MB of CSV, and an export of them waits after 1,500 rows (three
 * batches) in either format. The 20,000 plain ones used before were the same 14 MB of NDJSON but
 * only 5.5 MB of CSV (the export waited after 15,500 rows), and took four times as long to store
 * (6.7 s against 1.8 s on PGlite).
 */
export const BULKY_CONVERSATIONS = 4_000;

/** About 3 KB, appended to every summary. */
const SUMMARY_PADDING = ` ${'Padding that makes each exported row bigger. '.repeat(66)}`;

/** Stores `BULKY_CONVERSATIONS` generated conversations in `workspaceId`, in one statement. */
export async function seedBulkyConversations(db: Queryable, workspaceId: string): Promise<void> {
  await generateConversations(db, {
    workspaceId,
    count: BULKY_CONVERSATIONS,
    days: 30,
    end: new Date('2026-04-01T00:00:00Z'),
    summaryPadding: SUMMARY_PADDING,
  });
}
