/**
 * Contender (b), the floor: hand-written Node + undici that answers the benchmark query
 * (`conversations(first: N) { totalCount edges { node { id provider status createdAt agent { name }
 * prospect { name } transcript { messages { speaker text } } cost { currency total } } } }`) with
 * the same upstream requests as the gateway (three lists, then one batched agent request per
 * provider and one Trata prospect request) and the same JSON, with nothing else: no GraphQL, no
 * schema validation, no mapping of fields the answer does not show. The few leaf rules that define
 * the answer's values (status tables, global ids, exact decimals and times) are the gateway's own
 * small pure functions, so the answers can be compared. Started by bench/read-path.ts.
 */
import { createServer } from 'node:http';
import { Agent as UndiciAgent, request } from 'undici';
import { Decimal } from '../../src/domain/decimal.ts';
import { toGlobalId } from '../../src/domain/globalId.ts';
import { compareInstants, formatInstant, parseInstant } from '../../src/domain/preciseDate.ts';
import { PROVIDERS, type Provider } from '../../src/domain/types.ts';
import { ORATION_STATUS_BY_WIRE } from '../../src/providers/oration/map.ts';
import { mapTrataRecordStatus } from '../../src/providers/trata/map.ts';
import { mapTrataSpeaker } from '../../src/providers/trata/transcript.ts';
import { mapConversationStatus } from '../../src/providers/voiceos/map.ts';
import { benchSetup } from './contenderEnv.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const { workspace, apiKey, port } = benchSetup();
const { oration, trata, voiceos } = workspace.providers;
if (!oration || !trata || !voiceos) throw new Error('the bench workspace needs all three providers');
const dispatcher = new UndiciAgent({ keepAliveTimeout: 10_000, connections: 64 });

async function get(base: string, path: string, query: Record<string, string | number>, headers: Record<string, string>): Promise<Json> {
  const url = new URL(base.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
  const response = await request(url, { dispatcher, headers: { accept: 'application/json', ...headers } });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${url.pathname} answered ${response.statusCode}`);
  return JSON.parse(text) as Json;
}
const orationGet = (path: string, query: Record<string, string | number>) =>
  get(oration.baseUrl, path, query, { 'x-api-key': oration.apiKey, 'x-workspace-id': oration.workspaceId });
const trataGet = (path: string, query: Record<string, string | number>) => get(trata.baseUrl, path, query, { authorization: `Bearer ${trata.token}` });
const voiceosGet = (path: string, query: Record<string, string | number>) => get(voiceos.baseUrl, path, query, { authorization: `Bearer ${voiceos.token}` });

interface Row {
  provider: Provider;
  nativeId: string;
  createdAt: Date;
  wire: Json;
}

const nameById = (records: Json[]) => new Map(records.map((record) => [record.id as string, { name: (record.name as string | undefined) ?? null }]));
const distinct = (ids: (string | null | undefined)[]) => [...new Set(ids.filter((id): id is string => typeof id === 'string' && id !== ''))];

async function answer(first: number): Promise<Json> {
  const [o, t, v] = await Promise.all([
    orationGet('/conversations', { page: 1, limit: first }),
    trataGet('/v1/conversations', { page: 1, limit: first }),
    voiceosGet('/v1/conversations', { page: 0, limit: first }),
  ]);
  const rows: Row[] = [
    ...(o.results as Json[]).map((wire) => ({ provider: 'ORATION' as const, nativeId: wire.id, createdAt: new Date(wire.createdAt), wire })),
    ...(t.data as Json[]).map((wire) => ({ provider: 'TRATA' as const, nativeId: wire.id, createdAt: parseInstant(wire.createdAt, { zoneless: 'utc' })!, wire })),
    ...(v.conversations as Json[]).map((wire) => ({ provider: 'VOICEOS' as const, nativeId: wire.id, createdAt: new Date(wire.created_at), wire })),
  ];
  rows.sort(
    (a, b) =>
      compareInstants(b.createdAt, a.createdAt) ||
      PROVIDERS.indexOf(a.provider) - PROVIDERS.indexOf(b.provider) ||
      (a.nativeId < b.nativeId ? 1 : a.nativeId > b.nativeId ? -1 : 0),
  );
  const page = rows.slice(0, first);
  const of = (provider: Provider) => page.filter((row) => row.provider === provider).map((row) => row.wire);

  const orationAgentIds = distinct(of('ORATION').map((w) => w.agentId));
  const trataAgentIds = distinct(of('TRATA').map((w) => w.aiAgentId ?? w.agentId));
  const prospectIds = distinct(of('TRATA').map((w) => w.prospectId));
  const voiceosAgentIds = distinct(of('VOICEOS').map((w) => w.agent_id));
  const [orationAgents, trataAgents, prospects, voiceosAgents] = await Promise.all([
    orationAgentIds.length ? orationGet('/agents', { ids: orationAgentIds.join(','), limit: 100 }).then((b) => nameById(b.results)) : new Map(),
    trataAgentIds.length
      ? trataGet('/v1/agents', { ids: trataAgentIds.join(','), page: 1, limit: trataAgentIds.length }).then((b) => nameById(b.data))
      : new Map(),
    prospectIds.length
      ? trataGet('/v1/prospects', { ids: prospectIds.join(','), page: 1, limit: prospectIds.length }).then((b) => nameById(b.data))
      : new Map(),
    voiceosAgentIds.length > 1
      ? voiceosGet('/v1/agents', { page: 0, limit: 100 }).then((b) => nameById(b.agents))
      : voiceosAgentIds.length === 1
        ? voiceosGet(`/v1/agents/${encodeURIComponent(voiceosAgentIds[0]!)}`, {}).then((agent) => nameById([agent]))
        : new Map(),
  ]);

  const edges = page.map(({ provider, nativeId, createdAt, wire }) => {
    const node: Json = { id: toGlobalId({ provider, type: 'Conversation', nativeId }), provider };
    if (provider === 'ORATION') {
      const raw = wire.conversationStatus as string | null | undefined;
      node.status = raw ? (ORATION_STATUS_BY_WIRE[raw] ?? 'UNKNOWN') : 'UNKNOWN';
      node.createdAt = createdAt.toISOString();
      node.agent = wire.agentId ? (orationAgents.get(wire.agentId) ?? null) : null;
      node.prospect = null;
      node.transcript = null;
      node.cost = null;
    } else if (provider === 'TRATA') {
      const ended = wire.timestampEnd != null && parseInstant(wire.timestampEnd, { zoneless: 'utc' }) !== null;
      node.status = mapTrataRecordStatus(wire.status, ended).value;
      node.createdAt = formatInstant(createdAt);
      const agentId = wire.aiAgentId ?? wire.agentId;
      node.agent = agentId ? (trataAgents.get(agentId) ?? null) : null;
      node.prospect = wire.prospectId ? (prospects.get(wire.prospectId) ?? null) : null;
      node.transcript = trataTranscript(wire.transcriptText);
      node.cost = null;
    } else {
      node.status = mapConversationStatus(wire.status).value;
      node.createdAt = createdAt.toISOString();
      // A conversation without a saved agent ran an inline configuration: an agent without a name.
      node.agent = wire.agent_id ? (voiceosAgents.get(wire.agent_id) ?? null) : wire.agent ? { name: null } : null;
      node.prospect = null;
      node.transcript = null;
      node.cost = wire.cost ? { currency: 'USD', total: wire.cost.total == null ? null : Decimal.fromJsonNumber(wire.cost.total).toString() } : null;
    }
    return { node };
  });
  return { data: { conversations: { totalCount: o.total + t.total + v.total, edges } } };
}

/** Messages without Trata's exact repeats (same speaker, text and time), as the gateway shows them. */
function trataTranscript(text: unknown): Json | null {
  if (text === null || text === undefined) return null;
  if (!Array.isArray(text)) return { messages: [] };
  const seen = new Set<string>();
  const messages: Json[] = [];
  for (const message of text as Json[]) {
    const key = `${message.speaker ?? '\u0001'}\u0000${message.message ?? '\u0001'}\u0000${message.timestamp ?? '\u0001'}`;
    if (seen.has(key)) continue;
    seen.add(key);
    messages.push({ speaker: mapTrataSpeaker(message.speaker).value, text: message.message ?? '' });
  }
  return { messages };
}

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      res.writeHead(401).end();
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables?: { first?: number } };
    answer(body.variables?.first ?? 20).then(
      (result) => {
        const json = JSON.stringify(result);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: String(error) }] }));
      },
    );
  });
}).listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
