import { toGlobalId } from '../../domain/globalId.ts';
import type { CostUnit, Provider } from '../../domain/types.ts';
import { COMPONENTS_OF, jsonArrayElements, MESSAGES_OF } from '../jsonArraySql.ts';

/**
 * The three exports: their flat columns (documented in docs/bi.md, in this order), the SQL that
 * reads them from `synced_records` and the mapping of a row to them. Every export row carries its
 * conversation's `change_seq` (the incremental watermark) and all times are ISO-8601 UTC text;
 * decimals leave the database as text and stay text.
 */
export const EXPORT_KINDS = ['conversations', 'cost-lines', 'transcript-messages'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export type ExportValue = string | number | null;
export type ExportRow = Record<string, ExportValue>;

export interface ExportKindSpec {
  columns: readonly string[];
  /** Select list over `r` (a synced_records row) and, for line exports, the lateral `x`. */
  select: string;
  /** The lateral join that makes one row per line, if any; `x.position` orders lines. */
  lateral: string | null;
  toRow(row: Record<string, unknown>): ExportRow;
}

const UTC = (expression: string) => `to_char(${expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const conversationId = (row: Record<string, unknown>) =>
  toGlobalId({ provider: row.provider as Provider, type: 'Conversation', nativeId: String(row.native_id) });
const refId = (row: Record<string, unknown>, type: 'Agent' | 'Prospect', column: string) =>
  typeof row[column] === 'string' ? toGlobalId({ provider: row.provider as Provider, type, nativeId: row[column] as string }) : null;
const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const int = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

const COMMON_SELECT = `r.provider, r.native_id, r.change_seq::text AS change_seq`;

const conversations: ExportKindSpec = {
  columns: [
    'conversation_id', 'provider', 'native_id', 'version', 'change_seq', 'status', 'channel', 'end_reason', 'sentiment',
    'prospect_status', 'agent_id', 'agent_native_id', 'prospect_id', 'prospect_native_id', 'created_at', 'started_at',
    'ended_at', 'provider_updated_at', 'synced_at', 'duration_seconds', 'talk_seconds', 'ring_seconds', 'cost_currency',
    'cost_total', 'message_count', 'from_number', 'to_number', 'summary',
  ],
  select: `${COMMON_SELECT}, r.version, r.status, r.channel, r.end_reason, r.sentiment, r.prospect_status,
    r.agent_native_id, r.prospect_native_id, ${UTC('r.created_at')} AS created_at,
    ${UTC(`(r.record->'startedAt'->>'$instant')::timestamptz`)} AS started_at,
    ${UTC(`(r.record->'endedAt'->>'$instant')::timestamptz`)} AS ended_at,
    ${UTC('r.provider_updated_at')} AS provider_updated_at, ${UTC('r.synced_at')} AS synced_at,
    r.duration_seconds::text AS duration_seconds, r.talk_seconds::text AS talk_seconds, r.ring_seconds::text AS ring_seconds,
    r.cost_currency, r.cost_total::text AS cost_total, r.message_count,
    r.record->'fromNumber'->>'raw' AS from_number, r.record->'toNumber'->>'raw' AS to_number, r.record->>'summary' AS summary`,
  lateral: null,
  toRow: (row) => ({
    conversation_id: conversationId(row),
    provider: text(row.provider),
    native_id: text(row.native_id),
    version: int(row.version),
    change_seq: text(row.change_seq),
    status: text(row.status),
    channel: text(row.channel),
    end_reason: text(row.end_reason),
    sentiment: text(row.sentiment),
    prospect_status: text(row.prospect_status),
    agent_id: refId(row, 'Agent', 'agent_native_id'),
    agent_native_id: text(row.agent_native_id),
    prospect_id: refId(row, 'Prospect', 'prospect_native_id'),
    prospect_native_id: text(row.prospect_native_id),
    created_at: text(row.created_at),
    started_at: text(row.started_at),
    ended_at: text(row.ended_at),
    provider_updated_at: text(row.provider_updated_at),
    synced_at: text(row.synced_at),
    duration_seconds: text(row.duration_seconds),
    talk_seconds: text(row.talk_seconds),
    ring_seconds: text(row.ring_seconds),
    cost_currency: text(row.cost_currency),
    cost_total: text(row.cost_total),
    message_count: int(row.message_count),
    from_number: text(row.from_number),
    to_number: text(row.to_number),
    summary: text(row.summary),
  }),
};

const quantity = (unit: CostUnit) =>
  `(SELECT sum((q->>'amount')::numeric) FROM ${jsonArrayElements(`x.item->'quantities'`)} q WHERE q->>'unit' = '${unit}')::text`;

const costLines: ExportKindSpec = {
  columns: [
    'conversation_id', 'provider', 'conversation_native_id', 'change_seq', 'conversation_created_at', 'line', 'kind',
    'component_provider', 'currency', 'amount', 'seconds', 'input_tokens', 'output_tokens', 'characters',
  ],
  select: `${COMMON_SELECT}, ${UTC('r.created_at')} AS created_at, x.position AS line, x.item->>'kind' AS kind,
    x.item->>'provider' AS component_provider, r.cost_currency AS currency, x.item->'amount'->>'$decimal' AS amount,
    ${quantity('SECONDS')} AS seconds, ${quantity('INPUT_TOKENS')} AS input_tokens,
    ${quantity('OUTPUT_TOKENS')} AS output_tokens, ${quantity('CHARACTERS')} AS characters`,
  lateral: `${COMPONENTS_OF('r')} WITH ORDINALITY AS x(item, position)`,
  toRow: (row) => ({
    conversation_id: conversationId(row),
    provider: text(row.provider),
    conversation_native_id: text(row.native_id),
    change_seq: text(row.change_seq),
    conversation_created_at: text(row.created_at),
    line: int(row.line),
    kind: text(row.kind),
    component_provider: text(row.component_provider),
    currency: text(row.currency),
    amount: text(row.amount),
    seconds: text(row.seconds),
    input_tokens: text(row.input_tokens),
    output_tokens: text(row.output_tokens),
    characters: text(row.characters),
  }),
};

const transcriptMessages: ExportKindSpec = {
  columns: ['conversation_id', 'provider', 'conversation_native_id', 'change_seq', 'position', 'message_id', 'speaker', 'text', 'at'],
  select: `${COMMON_SELECT}, x.position AS position, x.item->>'id' AS message_id, x.item->'speaker'->>'value' AS speaker,
    x.item->>'text' AS text, ${UTC(`(x.item->'at'->>'$instant')::timestamptz`)} AS at`,
  lateral: `${MESSAGES_OF('r')} WITH ORDINALITY AS x(item, position)`,
  toRow: (row) => ({
    conversation_id: conversationId(row),
    provider: text(row.provider),
    conversation_native_id: text(row.native_id),
    change_seq: text(row.change_seq),
    position: int(row.position),
    message_id: text(row.message_id),
    speaker: text(row.speaker),
    text: text(row.text),
    at: text(row.at),
  }),
};

export const EXPORT_SPECS: Record<ExportKind, ExportKindSpec> = {
  conversations,
  'cost-lines': costLines,
  'transcript-messages': transcriptMessages,
};
