import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../database.ts';

function digest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The workspace's endpoint token, made once (32 random bytes) and kept, so every replica and
 * every restart answers the same URL. Two replicas making it at once agree on the first.
 */
export async function ensureWebhookToken(db: Queryable, workspaceId: string, now: Date): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO webhook_endpoints (workspace_id, token_digest, token, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (workspace_id) DO NOTHING`,
    [workspaceId, digest(token), token, now],
  );
  const { rows } = await db.query<{ token: string }>(`SELECT token FROM webhook_endpoints WHERE workspace_id = $1`, [workspaceId]);
  const stored = rows[0]?.token;
  if (!stored) throw new Error(`No webhook token for workspace ${workspaceId}`);
  return stored;
}

/** The workspace an endpoint token belongs to, looked up by its digest; null when unknown. */
export async function workspaceOfWebhookToken(db: Queryable, token: string): Promise<string | null> {
  const { rows } = await db.query<{ workspace_id: string }>(`SELECT workspace_id FROM webhook_endpoints WHERE token_digest = $1`, [digest(token)]);
  return rows[0]?.workspace_id ?? null;
}

export async function webhookDeliverySeen(db: Queryable, key: { workspaceId: string; provider: string; deliveryId: string }): Promise<boolean> {
  const { rowCount } = await db.query(
    `SELECT 1 FROM webhook_deliveries WHERE workspace_id = $1 AND provider = $2 AND delivery_id = $3`,
    [key.workspaceId, key.provider, key.deliveryId],
  );
  return rowCount > 0;
}

/** Records a processed delivery; false when another replica (or a concurrent duplicate) recorded it first. */
export async function recordWebhookDelivery(
  db: Queryable,
  delivery: { workspaceId: string; provider: string; deliveryId: string; eventType: string; conversationNativeId: string | null },
  now: Date,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO webhook_deliveries (workspace_id, provider, delivery_id, event_type, conversation_native_id, received_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [delivery.workspaceId, delivery.provider, delivery.deliveryId, delivery.eventType, delivery.conversationNativeId, now],
  );
  return rowCount > 0;
}
