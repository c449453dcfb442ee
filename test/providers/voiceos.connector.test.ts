import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dispatcher } from 'undici';
import type { Conversation } from '../../src/domain/types.ts';
import type { ConversationPosition, ProviderConnector } from '../../src/providers/connector.ts';
import { ProviderUnauthorizedError } from '../../src/providers/errors.ts';
import { createProviderDispatcher } from '../../src/providers/http.ts';
import { createVoiceOsConnector } from '../../src/providers/voiceos/voiceOsConnector.ts';
import { DEMO_ACCOUNTS } from '../../src/simulators/demoAccounts.ts';
import { createVoiceOsSimulator, type VoiceOsSimulator } from '../../src/simulators/voiceos/voiceOsSimulator.ts';

const [DEMO, ACME] = DEMO_ACCOUNTS.voiceos;
const LIST = 'GET /v1/conversations';
const GET_ONE = 'GET /v1/conversations/:id';

/** A conversation as the simulator sends it, read straight off the wire: the test's oracle. */
interface RawConversation {
  id: string;
  status: string;
  type: string;
  agent_id: string | null;
  created_at: string;
}

let simulator: VoiceOsSimulator;
let dispatcher: Dispatcher;
let demo: ProviderConnector;
let acme: ProviderConnector;
let oracle: RawConversation[];

function connectorFor(token: string): ProviderConnector {
  return createVoiceOsConnector({ baseUrl: simulator.url, credentials: { token }, transport: { dispatcher, resilience: null } });
}

async function raw(path: string, token: string = DEMO.token): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${simulator.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}

/** Every conversation of an account, straight from the simulator, newest first. */
async function allRaw(token: string): Promise<RawConversation[]> {
  const all: RawConversation[] = [];
  for (let page = 0; ; page++) {
    const { body } = await raw(`/v1/conversations?limit=100&page=${page}`, token);
    const { conversations } = body as { conversations: RawConversation[] };
    all.push(...conversations);
    if (conversations.length < 100) return all;
  }
}

function statusFilterCount(status: string): number {
  const filters = simulator.server.stats().conversationListStatusFilters as Record<string, number>;
  return filters[status] ?? 0;
}

function positionOf(conversation: Conversation): ConversationPosition {
  return { createdAt: conversation.createdAt, nativeId: conversation.nativeId };
}

beforeAll(async () => {
  simulator = createVoiceOsSimulator();
  await simulator.listen(0);
  dispatcher = createProviderDispatcher();
  demo = connectorFor(DEMO.token);
  acme = connectorFor(ACME.token);
  oracle = await allRaw(DEMO.token);
});

afterAll(async () => {
  await dispatcher.close();
  await simulator.close();
});

describe('VoiceOS connector: listConversations', () => {
  it('pages newest first with keyset positions, without duplicates or gaps, across same-instant conversations', async () => {
    const sameInstant = oracle.filter((conversation, i) => i > 0 && oracle[i - 1]?.created_at === conversation.created_at);
    expect(sameInstant.length).toBeGreaterThan(0); // otherwise the tie-break is not exercised

    const seen: string[] = [];
    let after: ConversationPosition | null = null;
    let pages = 0;
    for (;;) {
      const page = await demo.listConversations({ filter: {}, after, limit: 7 });
      seen.push(...page.items.map((conversation) => conversation.nativeId));
      pages++;
      const last = page.items.at(-1);
      if (!page.hasMore || last === undefined) break;
      after = positionOf(last);
    }
    expect(seen).toEqual(oracle.map((conversation) => conversation.id));
    expect(new Set(seen).size).toBe(150);
    expect(pages).toBe(Math.ceil(150 / 7));
  });

  it('reports the provider total with a single request when nothing is filtered locally', async () => {
    simulator.server.resetStats();
    const page = await demo.listConversations({ filter: {}, limit: 10, withTotal: true });
    expect(page.totalCount).toBe(150);
    expect(page.items).toHaveLength(10);
    expect(page.hasMore).toBe(true);
    expect(simulator.server.count(LIST)).toBe(1);
  });

  it('pushes a single status down to VoiceOS', async () => {
    const ended = oracle.filter((conversation) => conversation.status === 'ended');
    const before = statusFilterCount('ended');
    simulator.server.resetStats();

    const page = await demo.listConversations({ filter: { statuses: ['ENDED'] }, limit: 5, withTotal: true });

    expect(statusFilterCount('ended') - before).toBe(1);
    expect(simulator.server.count(LIST)).toBe(1);
    expect(page.totalCount).toBe(ended.length);
    expect(page.items.map((conversation) => conversation.nativeId)).toEqual(ended.slice(0, 5).map((c) => c.id));
  });

  it('filters several statuses locally, sending no status', async () => {
    const live = oracle.filter((conversation) => conversation.status === 'queued' || conversation.status === 'started');
    expect(live.length).toBeGreaterThan(1);
    const before = statusFilterCount('(none)');

    const page = await demo.listConversations({ filter: { statuses: ['QUEUED', 'IN_PROGRESS'] }, limit: 50, withTotal: true });

    expect(statusFilterCount('(none)') - before).toBeGreaterThan(0);
    expect(page.items.map((conversation) => conversation.nativeId)).toEqual(live.map((c) => c.id));
    expect(page.totalCount).toBe(live.length);
    expect(page.hasMore).toBe(false);
  });

  it('filters channels locally and counts them honestly', async () => {
    const web = oracle.filter((conversation) => conversation.type === 'web_call');
    const first = await demo.listConversations({ filter: { channels: ['WEB'] }, limit: 10, withTotal: true });
    expect(first.items.every((conversation) => conversation.channel.value === 'WEB')).toBe(true);
    expect(first.items.map((conversation) => conversation.nativeId)).toEqual(web.slice(0, 10).map((c) => c.id));
    expect(first.totalCount).toBe(web.length);

    const last = first.items.at(-1);
    if (!last) throw new Error('expected web calls');
    const second = await demo.listConversations({ filter: { channels: ['WEB'] }, after: positionOf(last), limit: 10, withTotal: true });
    expect(second.items.map((conversation) => conversation.nativeId)).toEqual(web.slice(10, 20).map((c) => c.id));
    expect(second.totalCount).toBe(web.length);
  });

  it('reads PHONE as the schema defines it (a phone call whose direction was not reported), which no VoiceOS call is', async () => {
    // It matched both directions here (114 demo calls) while conversationStats and the exports,
    // reading the stored channel, matched none: one filter, two answers.
    const page = await demo.listConversations({ filter: { channels: ['PHONE'] }, limit: 200, withTotal: true });
    expect(page.items).toEqual([]);
    expect(page.totalCount).toBe(0);
    const outbound = oracle.filter((conversation) => conversation.type === 'outbound_phone_call');
    const both = await demo.listConversations({ filter: { channels: ['PHONE', 'PHONE_OUTBOUND'] }, limit: 200, withTotal: true });
    expect(both.items.map((conversation) => conversation.nativeId)).toEqual(outbound.map((conversation) => conversation.id));
    expect(both.totalCount).toBe(outbound.length);
  });

  it('filters by agent locally, saved and inline alike', async () => {
    const savedAgentId = oracle.find((conversation) => conversation.agent_id !== null)?.agent_id;
    const inline = oracle.find((conversation) => conversation.agent_id === null);
    if (!savedAgentId || !inline) throw new Error('expected saved and inline agents in the demo data');
    const expected = oracle.filter((c) => c.agent_id === savedAgentId || c.id === inline.id).map((c) => c.id);

    const page = await demo.listConversations({
      filter: { agentNativeIds: [savedAgentId, `conversation:${inline.id}`] },
      limit: 200,
    });
    expect(page.items.map((conversation) => conversation.nativeId)).toEqual(expected);
  });

  it('pushes creation bounds down, both exclusive', async () => {
    const newer = oracle[10];
    const older = oracle[20];
    if (!newer || !older) throw new Error('expected 20 conversations');
    const createdBefore = new Date(newer.created_at);
    const createdAfter = new Date(older.created_at);
    const expected = oracle.filter((c) => c.created_at < newer.created_at && c.created_at > older.created_at);

    simulator.server.resetStats();
    const page = await demo.listConversations({ filter: { createdBefore, createdAfter }, limit: 50, withTotal: true });

    expect(page.items.map((conversation) => conversation.nativeId)).toEqual(expected.map((c) => c.id));
    expect(page.totalCount).toBe(expected.length);
    expect(simulator.server.count(LIST)).toBe(1);
  });

  it('answers filters VoiceOS can never match without a request', async () => {
    simulator.server.resetStats();
    const failed = await demo.listConversations({ filter: { statuses: ['FAILED', 'DIALING'] }, limit: 10, withTotal: true });
    const byProspect = await demo.listConversations({ filter: { prospectNativeIds: ['p1'] }, limit: 10 });
    expect(failed).toEqual({ items: [], totalCount: 0, hasMore: false });
    expect(byProspect).toEqual({ items: [], totalCount: null, hasMore: false });
    expect(simulator.server.stats().total).toBe(0);
  });
});

describe('VoiceOS connector: get by id', () => {
  it('fetches each distinct id once and answers in key order, null for an unknown id', async () => {
    const [a, b] = oracle;
    if (!a || !b) throw new Error('expected conversations');
    simulator.server.resetStats();

    const results = await demo.getConversations([a.id, b.id, a.id, 'no-such-conversation']);

    expect(simulator.server.count(GET_ONE)).toBe(3);
    expect(results.map((conversation) => conversation?.nativeId ?? null)).toEqual([a.id, b.id, a.id, null]);
  });

  it('resolves an inline agent through its conversation, and a saved agent with its name', async () => {
    const inline = oracle.find((conversation) => conversation.agent_id === null);
    const saved = oracle.find((conversation) => conversation.agent_id !== null);
    if (!inline || !saved?.agent_id) throw new Error('expected saved and inline agents in the demo data');
    const [listed] = (await demo.getConversations([inline.id])) as [Conversation | null];
    const inlineAgentId = listed?.agentRef?.nativeId;
    expect(inlineAgentId).toBe(`conversation:${inline.id}`);

    const agents = await demo.getAgents([`conversation:${inline.id}`, saved.agent_id, 'no-such-agent', 'conversation:nope']);

    expect(agents[0]).toEqual(listed?.embeddedAgent);
    expect(agents[0]?.prompt).toEqual(expect.any(String));
    expect(agents[1]).toMatchObject({ nativeId: saved.agent_id, name: expect.any(String), createdAt: expect.any(Date) });
    expect(agents.slice(2)).toEqual([null, null]);
  });
});

describe('VoiceOS connector: agents', () => {
  it('turns offsets into pages, aligned or not', async () => {
    const all = await demo.listAgents({ offset: 0, limit: 100 });
    expect(all.totalCount).toBe(5);
    const ids = all.items.map((agent) => agent.nativeId);

    for (const [offset, limit] of [
      [1, 2],
      [3, 2],
      [2, 3],
      [4, 10],
      [7, 3],
    ] as const) {
      const page = await demo.listAgents({ offset, limit });
      expect(page.items.map((agent) => agent.nativeId)).toEqual(ids.slice(offset, offset + limit));
      expect(page.totalCount).toBe(5);
    }
    expect(await demo.listAgents({ offset: 0, limit: 0 })).toEqual({ items: [], totalCount: 5 });
  });
});

describe('VoiceOS connector: what VoiceOS cannot do', () => {
  it('has neither prospects nor a creator: the parts are absent, not stubs', () => {
    expect(demo.prospects).toBeUndefined();
    expect(demo.creator).toBeUndefined();
  });
});

describe('VoiceOS connector: accounts and auth', () => {
  it('throws ProviderUnauthorizedError for a wrong token', async () => {
    const stranger = connectorFor('not-a-voiceos-token');
    await expect(stranger.listConversations({ filter: {}, limit: 5 })).rejects.toBeInstanceOf(ProviderUnauthorizedError);
    await expect(stranger.getAgents(['x'])).rejects.toMatchObject({ code: 'PROVIDER_UNAUTHORIZED', httpStatus: 401 });
  });

  it('keeps each account to its own data', async () => {
    const acmeOracle = await allRaw(ACME.token);
    const demoIds = new Set(oracle.map((conversation) => conversation.id));
    expect(acmeOracle.length).toBe(150);
    expect(acmeOracle.some((conversation) => demoIds.has(conversation.id))).toBe(false);

    const first = oracle[0];
    if (!first) throw new Error('expected conversations');
    expect(await acme.getConversations([first.id])).toEqual([null]);
    const acmePage = await acme.listConversations({ filter: {}, limit: 5 });
    expect(acmePage.items.map((conversation) => conversation.nativeId)).toEqual(acmeOracle.slice(0, 5).map((c) => c.id));
  });
});

describe('VoiceOS simulator: documented parameters', () => {
  it.each([
    ['status=bogus', 'status'],
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['page=-1', 'page'],
    ['created_before=yesterday', 'created_before'],
    ['created_after=2026-13-45', 'created_after'],
  ])('answers 422 invalid_request to %s', async (query, field) => {
    const { status, body } = await raw(`/v1/conversations?${query}`);
    expect(status).toBe(422);
    expect(body).toEqual({ error: { code: 'invalid_request', message: expect.stringContaining(field) } });
  });

  it('answers 401 unauthorized without a valid bearer token', async () => {
    const response = await fetch(`${simulator.url}/v1/conversations`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it('uses the documented defaults: page 0 and 20 items', async () => {
    const { body } = await raw('/v1/conversations');
    const page = body as { total: number; page: number; conversations: RawConversation[] };
    expect(page.total).toBe(150);
    expect(page.page).toBe(0);
    expect(page.conversations.map((c) => c.id)).toEqual(oracle.slice(0, 20).map((c) => c.id));
  });
});
