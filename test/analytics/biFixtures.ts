import type { Database } from '../../src/store/database.ts';
import type { Conversation } from '../../src/domain/types.ts';
import { Decimal } from '../../src/domain/decimal.ts';

/** Every conversation of one account, straight from the provider (not the store): the hand computation's input. */
export async function providerConversations(
  connector: { listConversations(request: { filter: object; after: { createdAt: Date; nativeId: string } | null; limit: number }): Promise<{ items: Conversation[]; hasMore: boolean }> },
): Promise<Conversation[]> {
  const all: Conversation[] = [];
  let after: { createdAt: Date; nativeId: string } | null = null;
  for (;;) {
    const page = await connector.listConversations({ filter: {}, after, limit: 100 });
    all.push(...page.items);
    const last = page.items.at(-1);
    if (!page.hasMore || !last) return all;
    after = { createdAt: last.createdAt, nativeId: last.nativeId };
  }
}

export const sum = (values: (Decimal | null)[]) => values.reduce<Decimal>((total, each) => (each ? total.plus(each) : total), Decimal.ZERO);
export const seconds = (value: number | null) => (value === null ? null : Decimal.fromJsonNumber(value));

export interface FixtureConversation {
  nativeId: string;
  provider?: string;
  createdAt: string;
  status?: string;
  /** `null`: no cost reported; else the total and component amounts as decimal text. */
  cost: { currency: string; total: string | null; components: [kind: string, amount: string][] } | null;
  talkSeconds?: number | null;
}

/**
 * Stores hand-made conversation records (the shape `recordCodec` writes) straight into
 * `synced_records`, for totals whose right answer is known by construction.
 */
export async function insertConversations(db: Database, workspaceId: string, conversations: FixtureConversation[], at = new Date('2026-04-01T00:00:00Z')): Promise<void> {
  for (const each of conversations) {
    const record = {
      kind: 'Conversation',
      provider: each.provider ?? 'VOICEOS',
      nativeId: each.nativeId,
      channel: { value: 'PHONE_OUTBOUND', raw: 'outbound' },
      status: { value: each.status ?? 'ENDED', raw: 'ended' },
      createdAt: { $instant: each.createdAt },
      talkSeconds: each.talkSeconds ?? null,
      ringSeconds: null,
      durationSeconds: null,
      agentRef: { provider: each.provider ?? 'VOICEOS', nativeId: 'agent-1' },
      cost: each.cost && {
        currency: each.cost.currency,
        total: each.cost.total === null ? null : { $decimal: each.cost.total },
        components: each.cost.components.map(([kind, amount]) => ({ kind, provider: null, amount: { $decimal: amount }, quantities: [] })),
      },
    };
    await db.query(
      `INSERT INTO synced_records (workspace_id, provider, kind, native_id, version, content_hash, record, status, created_at, cost_known, first_synced_at, synced_at)
       VALUES ($1, $2, 'Conversation', $3, 1, $3, $4::text::jsonb, $5, $6::timestamptz, $7, $8, $8)`,
      [workspaceId, record.provider, each.nativeId, JSON.stringify(record), record.status.value, each.createdAt, each.cost !== null, at],
    );
  }
}
