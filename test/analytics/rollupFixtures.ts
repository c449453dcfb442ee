import { createHash } from 'node:crypto';
import type { Queryable } from '../../src/store/database.ts';
import { upsertSyncedRecords, type SyncedRecordWrite } from '../../src/store/queries/syncedRecords.ts';

/** A small seeded generator (mulberry32), so a failing case can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedConversation {
  provider: string;
  nativeId: string;
  /** ISO with microseconds, or null (stored without a creation time). */
  createdAt: string | null;
  talkSeconds: number | null;
  ringSeconds: number | null;
  /** null: no cost; `total` null: a cost whose total was not reported; components `[kind, amount]`. */
  cost: { currency: string; total: string | null; components?: [kind: string, amount: string | null][] } | null;
}

const pick = <T>(random: () => number, values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;

/** Amounts of assorted scales, trailing zeros included, so exact sums are put to the test. */
function amount(random: () => number): string {
  return pick(random, ['0', '0.10', '1.5', '0.0352', '12.000', '3', '0.000001', '7.25'])
    .replace(/^(\d+)/, (whole) => String(Number(whole) + Math.floor(random() * 3)));
}

/**
 * One random conversation created in [from, to): on 15-minute edges a fifth of the time, else at
 * a random microsecond; a few without a creation time.
 */
export function randomConversation(random: () => number, nativeId: string, from: number, to: number): GeneratedConversation {
  const slot = 15 * 60 * 1000;
  let createdAt: string | null;
  if (random() < 0.03) {
    createdAt = null;
  } else if (random() < 0.2) {
    const at = Math.floor((from + random() * (to - from)) / slot) * slot;
    createdAt = new Date(at).toISOString().replace('Z', '000Z');
  } else {
    const at = Math.floor(from + random() * (to - from));
    createdAt = new Date(at).toISOString().replace('Z', `${String(Math.floor(random() * 1000)).padStart(3, '0')}Z`);
  }
  const costRoll = random();
  return {
    provider: pick(random, ['ORATION', 'TRATA', 'VOICEOS']),
    nativeId,
    createdAt,
    talkSeconds: random() < 0.2 ? null : pick(random, [0, 1, 12.5, 0.25, 300, 42.125]),
    ringSeconds: random() < 0.3 ? null : pick(random, [0, 2, 0.5, 9.75]),
    cost: costRoll < 0.25 ? null : {
      currency: costRoll < 0.8 ? 'USD' : 'EUR',
      total: random() < 0.05 ? null : amount(random),
      // Up to three lines, a kind twice at times, now and then one without an amount.
      components: Array.from({ length: Math.floor(random() * 4) }, () => [
        pick(random, ['LLM', 'TELEPHONY', 'TTS', 'PLATFORM']),
        random() < 0.1 ? null : amount(random),
      ]),
    },
  };
}

/** Writes (inserts or replaces) one conversation through the store's own upsert. */
export async function writeConversation(db: Queryable, workspaceId: string, conversation: GeneratedConversation, now = new Date('2026-05-01T00:00:00Z')): Promise<void> {
  await upsertSyncedRecords(db, [conversationWrite(workspaceId, conversation)], now);
}

/** The store write of a generated conversation, as the change writer makes it. */
export function conversationWrite(workspaceId: string, conversation: GeneratedConversation): SyncedRecordWrite {
  const record = {
    kind: 'Conversation',
    provider: conversation.provider,
    nativeId: conversation.nativeId,
    channel: { value: 'PHONE_OUTBOUND', raw: 'outbound' },
    status: { value: 'ENDED', raw: 'ended' },
    createdAt: conversation.createdAt === null ? null : { $instant: conversation.createdAt },
    talkSeconds: conversation.talkSeconds,
    ringSeconds: conversation.ringSeconds,
    durationSeconds: null,
    agentRef: { provider: conversation.provider, nativeId: 'agent-1' },
    cost: conversation.cost && {
      currency: conversation.cost.currency,
      total: conversation.cost.total === null ? null : { $decimal: conversation.cost.total },
      components: (conversation.cost.components ?? []).map(([kind, amount]) => ({ kind, provider: null, amount: amount === null ? null : { $decimal: amount }, quantities: [] })),
    },
  };
  const encoded = JSON.stringify(record);
  const write: SyncedRecordWrite = {
    workspaceId,
    provider: conversation.provider,
    kind: 'Conversation',
    nativeId: conversation.nativeId,
    encoded,
    contentHash: createHash('sha256').update(encoded).digest('hex'),
    status: 'ENDED',
    createdAt: conversation.createdAt,
    providerUpdatedAt: null,
    messageCount: null,
    costKnown: conversation.cost !== null,
  };
  return write;
}

/** The rollups' non-empty rows, and the same totals computed afresh from the records: they must agree. */
export async function rollupAgainstRecords(db: Queryable): Promise<{ rollup: string[]; recomputed: string[] }> {
  const slot = `date_bin('15 minutes', created_at, timestamptz '1970-01-01 00:00:00+00')`;
  const columns = `workspace_id, slot, provider, cost_currency, conversations::int, trim_scale(talk_seconds)::text AS talk,
                   trim_scale(ring_seconds)::text AS ring, without_talk::int, without_ring::int, without_cost::int, costed::int,
                   trim_scale(cost_total)::text AS cost`;
  const order = 'ORDER BY workspace_id, slot, provider, cost_currency';
  const { rows: rollup } = await db.query(`SELECT ${columns} FROM conversation_stats_rollup WHERE conversations <> 0 ${order}`);
  const { rows: recomputed } = await db.query(
    `SELECT ${columns} FROM (
       SELECT workspace_id, ${slot} AS slot, provider, cost_currency,
              count(*) AS conversations, coalesce(sum(talk_seconds), 0) AS talk_seconds, coalesce(sum(ring_seconds), 0) AS ring_seconds,
              count(*) FILTER (WHERE talk_seconds IS NULL) AS without_talk, count(*) FILTER (WHERE ring_seconds IS NULL) AS without_ring,
              count(*) FILTER (WHERE cost_total IS NULL) AS without_cost, count(cost_total) AS costed, coalesce(sum(cost_total), 0) AS cost_total
         FROM synced_records WHERE kind = 'Conversation' AND created_at IS NOT NULL
        GROUP BY 1, 2, 3, 4) fresh ${order}`,
  );
  const componentColumns = `workspace_id, slot, provider, cost_currency, component_kind, trim_scale(amount)::text AS amount, lines::int`;
  const componentOrder = `${order}, component_kind`;
  const { rows: componentRollup } = await db.query(`SELECT ${componentColumns} FROM conversation_stats_rollup_components WHERE lines <> 0 ${componentOrder}`);
  const { rows: componentRecomputed } = await db.query(
    `SELECT ${componentColumns} FROM (
       SELECT workspace_id, ${slot} AS slot, provider, cost_currency, c->>'kind' AS component_kind,
              sum((c->'amount'->>'$decimal')::numeric) AS amount, count(*) AS lines
         FROM synced_records, jsonb_array_elements(CASE WHEN jsonb_typeof(record->'cost'->'components') = 'array' THEN record->'cost'->'components' ELSE '[]' END) c
        WHERE kind = 'Conversation' AND created_at IS NOT NULL AND cost_total IS NOT NULL AND c->'amount'->>'$decimal' IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5) fresh ${componentOrder}`,
  );
  const text = (rows: Record<string, unknown>[]) => rows.map((row) => JSON.stringify(row, (_key, value) => (value instanceof Date ? value.toISOString() : value)));
  return { rollup: [...text(rollup), ...text(componentRollup)], recomputed: [...text(recomputed), ...text(componentRecomputed)] };
}
