import type { Queryable } from '../database.ts';

export interface HeldSlot {
  requestId: string;
  batchId: string;
  budgetKey: string;
}

/** The item whose CREATED conversation this is (it holds a budget slot), or null. */
export async function findItemHoldingConversation(
  db: Queryable,
  key: { workspaceId: string; provider: string; conversationNativeId: string },
): Promise<HeldSlot | null> {
  const { rows } = await db.query<{ request_id: string; batch_id: string; budget_key: string }>(
    `SELECT request_id, batch_id, budget_key FROM batch_items
      WHERE workspace_id = $1 AND provider = $2 AND conversation_native_id = $3 AND state = 'CREATED'`,
    [key.workspaceId, key.provider, key.conversationNativeId],
  );
  const row = rows[0];
  return row ? { requestId: row.request_id, batchId: row.batch_id, budgetKey: row.budget_key } : null;
}
