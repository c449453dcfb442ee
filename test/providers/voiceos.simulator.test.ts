import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, DEMO_ANCHOR } from '../../src/simulators/demoAccounts.ts';
import { generateAccountData } from '../../src/simulators/voiceos/generateAccountData.ts';
import { createVoiceOsSimulator, type VoiceOsSimulator } from '../../src/simulators/voiceos/voiceOsSimulator.ts';
import type { AgentRecord, ConversationRecord } from '../../src/simulators/voiceos/wireTypes.ts';

const [DEMO] = DEMO_ACCOUNTS.voiceos;

/** The conversation fields in the document's order (our names), plus `created_at`. */
const CONVERSATION_FIELDS = [
  'account_id', 'agent', 'id', 'status', 'type', 'uri', 'agent_id', 'cost',
  'end_time', 'end_reason', 'phone_call', 'start_time', 'created_at',
];
const AGENT_CONFIG_FIELDS = [
  'hooks', 'initial_message', 'llm', 'max_duration', 'metadata', 'prompt', 'transcriber', 'voice', 'webhooks',
];

let simulator: VoiceOsSimulator;
let conversations: ConversationRecord[];
let agents: AgentRecord[];

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${simulator.url}${path}`, { headers: { authorization: `Bearer ${DEMO.token}` } });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  simulator = createVoiceOsSimulator();
  await simulator.listen(0);
  conversations = [];
  for (let page = 0; page < 2; page++) {
    const { body } = await get(`/v1/conversations?limit=100&page=${page}`);
    conversations.push(...(body as { conversations: ConversationRecord[] }).conversations);
  }
  agents = ((await get('/v1/agents?limit=100')).body as { agents: AgentRecord[] }).agents;
});

afterAll(async () => {
  await simulator.close();
});

describe('VoiceOS simulator data', () => {
  it('writes exactly the assumed field names, in the document order', () => {
    expect(conversations).toHaveLength(150);
    for (const conversation of conversations) {
      expect(Object.keys(conversation)).toEqual(CONVERSATION_FIELDS);
      expect(Object.keys(conversation.agent)).toEqual(AGENT_CONFIG_FIELDS);
    }
    expect(agents).toHaveLength(5);
    for (const agent of agents) expect(Object.keys(agent)).toEqual(['id', 'name', ...AGENT_CONFIG_FIELDS, 'created_at']);
  });

  it('spans about thirty days before the anchor, newest first', () => {
    const times = conversations.map((conversation) => Date.parse(conversation.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const newest = times[0] ?? 0;
    const oldest = times.at(-1) ?? 0;
    expect(newest).toBeLessThan(DEMO_ANCHOR.getTime());
    expect((DEMO_ANCHOR.getTime() - oldest) / 86_400_000).toBeGreaterThan(20);
    expect((DEMO_ANCHOR.getTime() - oldest) / 86_400_000).toBeLessThanOrEqual(31);
  });

  it('mixes statuses, types and agents as a real account would', () => {
    const countBy = (key: (c: ConversationRecord) => string) =>
      conversations.reduce<Record<string, number>>((counts, c) => ({ ...counts, [key(c)]: (counts[key(c)] ?? 0) + 1 }), {});
    expect(countBy((c) => c.status)).toEqual({ queued: 2, started: 3, ended: 145 });
    expect(Object.keys(countBy((c) => c.type)).sort()).toEqual(['inbound_phone_call', 'outbound_phone_call', 'web_call']);
    expect(Object.keys(countBy((c) => String(c.end_reason))).sort()).toEqual(['agent_ended', 'null', 'unknown', 'user_ended']);
    const agentIds = new Set(agents.map((agent) => agent.id));
    expect(conversations.filter((c) => c.agent_id === null).length).toBeGreaterThan(10);
    expect(conversations.every((c) => c.agent_id === null || agentIds.has(c.agent_id))).toBe(true);
  });

  it('keeps times, phone calls and costs consistent with status and type', () => {
    for (const c of conversations) {
      expect(c.cost === null).toBe(c.status === 'queued');
      expect(c.start_time === null).toBe(c.status === 'queued');
      expect(c.end_time === null).toBe(c.status !== 'ended');
      expect(c.end_reason === null).toBe(c.status !== 'ended');
      expect(c.phone_call === null).toBe(c.type === 'web_call');
      if (c.end_time !== null && c.start_time !== null) {
        expect(Date.parse(c.end_time)).toBeGreaterThanOrEqual(Date.parse(c.start_time));
        if (c.agent.max_duration !== null) {
          expect((Date.parse(c.end_time) - Date.parse(c.start_time)) / 1000).toBeLessThanOrEqual(c.agent.max_duration);
        }
      }
      if (c.cost === null) continue;
      expect(c.cost.telephony === null).toBe(c.type === 'web_call');
      const parts = [c.cost.agent, c.cost.llm, c.cost.transcriber, c.cost.voice, c.cost.telephony];
      const sum = parts.reduce((total, part) => total + (part?.cost ?? 0), 0);
      expect(c.cost.total).toBeCloseTo(sum, 6);
      if (c.agent.llm.credential_id !== null) expect(c.cost.llm.cost).toBe(0);
    }
    const phoneCosts = conversations.flatMap((c) => (c.cost?.telephony ? [c.cost.telephony.cost] : []));
    expect(phoneCosts.filter((cost) => cost === 0).length).toBeGreaterThan(0); // imported numbers
    expect(phoneCosts.filter((cost) => cost > 0).length).toBeGreaterThan(0);
  });

  it('generates the same data from the same seed, different data from another', () => {
    const again = generateAccountData({ seed: DEMO.seed, conversations: 150, anchor: DEMO_ANCHOR });
    expect(again.conversations).toEqual(conversations);
    const other = generateAccountData({ seed: DEMO.seed + 1, conversations: 150, anchor: DEMO_ANCHOR });
    expect(other.conversations[0]?.id).not.toBe(conversations[0]?.id);
  });

  it('answers 404 not_found for unknown ids and the record itself for known ones', async () => {
    const [first] = conversations;
    const [agent] = agents;
    expect((await get(`/v1/conversations/${first?.id}`)).body).toEqual(first);
    expect((await get(`/v1/agents/${agent?.id}`)).body).toEqual(agent);
    for (const path of ['/v1/conversations/nope', '/v1/agents/nope']) {
      const { status, body } = await get(path);
      expect(status).toBe(404);
      expect(body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    }
  });

  it('pages agents with the documented page and limit', async () => {
    const { body } = await get('/v1/agents?page=1&limit=2');
    expect(body).toEqual({ total: 5, page: 1, agents: agents.slice(2, 4) });
    expect((await get('/v1/agents?limit=0')).status).toBe(422);
  });

  it('honours conversationsPerAccount and extra accounts', async () => {
    const small = createVoiceOsSimulator({ accounts: [{ token: 't-1', seed: 7 }], conversationsPerAccount: 12 });
    const url = await small.listen(0);
    try {
      const response = await fetch(`${url}/v1/conversations?limit=100`, { headers: { authorization: 'Bearer t-1' } });
      const page = (await response.json()) as { total: number; conversations: unknown[] };
      expect(page.total).toBe(12);
      expect(page.conversations).toHaveLength(12);
    } finally {
      await small.close();
    }
  });
});
