import type { Queryable } from '../src/store/database.ts';

/**
 * Generates `count` conversation records for one workspace straight into `synced_records` with
 * one INSERT … SELECT over generate_series (the machine is small: going through the API would
 * measure the simulators). Records have the shape `src/sync/recordCodec.ts` writes: three
 * providers, created evenly over `days` days before `end`, a cost on three in four (two
 * components, exact decimals), talk and ring seconds, four agents per provider. `summaryPadding`
 * is appended to every summary: tests that must overflow a socket's buffers use it to make each
 * exported row bigger, so fewer rows (each costly to store) carry the bytes.
 */
export async function generateConversations(
  db: Queryable,
  options: { workspaceId: string; count: number; days: number; end: Date; prefix?: string; syncedAt?: Date; summaryPadding?: string },
): Promise<void> {
  const prefix = options.prefix ?? 'gen';
  await db.query(
    `INSERT INTO synced_records (workspace_id, provider, kind, native_id, version, content_hash, record, status, created_at,
                                 message_count, cost_known, first_synced_at, synced_at)
     SELECT $1, g.provider, 'Conversation', g.native_id, 1, g.native_id, jsonb_build_object(
              'kind', 'Conversation', 'provider', g.provider, 'nativeId', g.native_id,
              'channel', jsonb_build_object('value', 'PHONE_OUTBOUND', 'raw', 'outbound'),
              'status', jsonb_build_object('value', 'ENDED', 'raw', 'ended'),
              'createdAt', jsonb_build_object('$instant', to_char(g.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
              'talkSeconds', (g.n % 300), 'ringSeconds', (g.n % 20) + 0.5, 'durationSeconds', (g.n % 300) + (g.n % 20) + 0.5,
              'endReason', jsonb_build_object('value', (ARRAY['AGENT_ENDED', 'CUSTOMER_ENDED', 'CUSTOMER_DID_NOT_ANSWER'])[g.n % 3 + 1], 'raw', 'x'),
              'agentRef', jsonb_build_object('provider', g.provider, 'nativeId', 'agent-' || (g.n % 4)),
              'summary', 'Generated conversation ' || g.n || $7::text,
              'cost', CASE WHEN g.n % 4 = 0 THEN NULL ELSE jsonb_build_object(
                'currency', 'USD',
                'total', jsonb_build_object('$decimal', ((g.n % 1000) * 0.0001 + 0.0352)::text),
                'components', jsonb_build_array(
                  jsonb_build_object('kind', 'LLM', 'provider', 'openai', 'amount', jsonb_build_object('$decimal', ((g.n % 1000) * 0.0001)::text),
                                     'quantities', jsonb_build_array(jsonb_build_object('unit', 'INPUT_TOKENS', 'amount', g.n % 5000))),
                  jsonb_build_object('kind', 'TELEPHONY', 'provider', 'twilio', 'amount', jsonb_build_object('$decimal', '0.0352'),
                                     'quantities', jsonb_build_array(jsonb_build_object('unit', 'SECONDS', 'amount', g.n % 300))))) END),
            'ENDED', g.created_at, 0, g.n % 4 <> 0, $5, $5
       FROM (SELECT n, (ARRAY['ORATION', 'TRATA', 'VOICEOS'])[n % 3 + 1] AS provider, $2 || '-' || n AS native_id,
                    $3::timestamptz - make_interval(secs => (n::double precision / $4::double precision) * $6::double precision * 86400) AS created_at
               FROM generate_series(1, $4::int) AS n) g`,
    [options.workspaceId, prefix, options.end, options.count, options.syncedAt ?? options.end, options.days, options.summaryPadding ?? ''],
  );
}
