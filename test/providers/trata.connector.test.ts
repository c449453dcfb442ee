import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/domain/types.ts';
import type { ConversationFilter, ProspectReader, ProviderConnector } from '../../src/providers/connector.ts';
import { ProviderBadResponseError, ProviderUnauthorizedError } from '../../src/providers/errors.ts';
import { createProviderDispatcher } from '../../src/providers/http.ts';
import { compareNewestFirst } from '../../src/providers/paging.ts';
import { mapTrataConversation } from '../../src/providers/trata/map.ts';
import { createTrataConnector } from '../../src/providers/trata/trataConnector.ts';
import { trataConversationSchema } from '../../src/providers/trata/wire.ts';
import { DEMO_ACCOUNTS, DEMO_ANCHOR } from '../../src/simulators/demoAccounts.ts';
import {
  DOCUMENTED_CONVERSATION_ID,
  DOCUMENTED_CONVERSATION_REQUEST,
  DOCUMENTED_CONVERSATION_RESPONSE,
  documentedConversationRecord,
} from '../../src/simulators/trata/samples.ts';
import { createTrataSimulator, type TrataSimulator } from '../../src/simulators/trata/trataSimulator.ts';

const [DEMO, ACME] = DEMO_ACCOUNTS.trata;
const SOPHIA = 'aia.1726903132.obUuT7vM';
const HARI = 'pro.1731301754.OZSMSU1S';
const LIST = 'GET /v1/conversations';

let simulator: TrataSimulator;
let dispatcher: Dispatcher;
let demo: ProviderConnector;
let acme: ProviderConnector;
/** Every demo conversation, read once through the connector: the oracle for filter tests. */
let everything: Conversation[];

const connectorFor = (token: string, baseUrl = simulator.url) =>
  createTrataConnector({ baseUrl, credentials: { token }, transport: { dispatcher, resilience: null } });

/** Trata always reads prospects. */
function prospectsOf(connector: ProviderConnector): ProspectReader {
  if (!connector.prospects) throw new Error('the Trata connector reads no prospects');
  return connector.prospects;
}

async function readAll(connector: ProviderConnector, filter: ConversationFilter, limit: number): Promise<{ items: Conversation[]; calls: number }> {
  const items: Conversation[] = [];
  let after: { createdAt: Date; nativeId: string } | null = null;
  let calls = 0;
  for (;;) {
    const page = await connector.listConversations({ filter, after, limit });
    calls++;
    items.push(...page.items);
    const last = page.items.at(-1);
    if (!page.hasMore || !last) return { items, calls };
    after = { createdAt: last.createdAt, nativeId: last.nativeId };
  }
}

const ids = (conversations: readonly (Conversation | null)[]) => conversations.map((c) => c?.nativeId ?? null);

beforeAll(async () => {
  simulator = createTrataSimulator();
  await simulator.listen(0);
  dispatcher = createProviderDispatcher();
  demo = connectorFor(DEMO.token);
  acme = connectorFor(ACME.token);
  everything = (await readAll(demo, {}, 100)).items;
});

afterAll(async () => {
  await simulator.close();
  await dispatcher.close();
});

beforeEach(() => simulator.server.resetStats());

describe('listConversations', () => {
  it('pages newest first with no duplicates or gaps, one upstream request per page', async () => {
    expect(everything).toHaveLength(120);
    expect([...everything].sort(compareNewestFirst)).toEqual(everything);
    // The data holds conversations stored in the same microsecond (up to three); paging must
    // cross them intact, and the connector's page slack keeps every call to one request.
    const sharedInstants = everything.filter((c, i) => i > 0 && everything[i - 1]?.createdAt.getTime() === c.createdAt.getTime());
    expect(sharedInstants.length).toBeGreaterThan(0);
    expect(everything.at(-1)?.nativeId).toBe(DOCUMENTED_CONVERSATION_ID);
    const raw = await Promise.all(
      [1, 2].map(async (page) => {
        const response = await fetch(`${simulator.url}/v1/conversations?page=${page}&limit=100`, {
          headers: { authorization: `Bearer ${DEMO.token}` },
        });
        return ((await response.json()) as { data: { id: string }[] }).data.map((record) => record.id);
      }),
    );
    expect(new Set(ids(everything))).toEqual(new Set(raw.flat()));

    for (const limit of [1, 7, 50]) {
      simulator.server.resetStats();
      const { items, calls } = await readAll(demo, {}, limit);
      expect(ids(items)).toEqual(ids(everything));
      expect(simulator.server.count(LIST)).toBe(calls);
    }
  });

  it('reports the total with the first page without an extra request', async () => {
    const page = await demo.listConversations({ filter: {}, limit: 10, withTotal: true });
    expect(page).toMatchObject({ totalCount: 120, hasMore: true });
    expect(page.items).toHaveLength(10);
    expect(simulator.server.count(LIST)).toBe(1);
  });

  it('pushes one agent, one channel and the time bounds down to Trata', async () => {
    const createdAfter = new Date(DEMO_ANCHOR.getTime() - 10 * 86_400_000);
    const createdBefore = new Date(DEMO_ANCHOR.getTime() - 3 * 86_400_000);
    const filter: ConversationFilter = { agentNativeIds: [SOPHIA], channels: ['WEB'], createdAfter, createdBefore };
    const expected = everything.filter(
      (c) =>
        c.agentRef?.nativeId === SOPHIA &&
        c.channel.value === 'WEB' &&
        c.createdAt >= createdAfter &&
        c.createdAt < createdBefore,
    );
    const page = await demo.listConversations({ filter, limit: 100, withTotal: true });
    expect(ids(page.items)).toEqual(ids(expected));
    expect(page.totalCount).toBe(expected.length);
    expect(simulator.server.count(LIST)).toBe(1);
  });

  it('filters statuses, several channels and several agents locally, with exact totals', async () => {
    const agents = [...new Set(everything.map((c) => c.agentRef?.nativeId))].slice(0, 2) as string[];
    const cases: [ConversationFilter, (c: Conversation) => boolean][] = [
      [{ statuses: ['IN_PROGRESS'] }, (c) => c.status.value === 'IN_PROGRESS'],
      [{ channels: ['CHAT', 'PHONE_INBOUND'] }, (c) => c.channel.value === 'CHAT' || c.channel.value === 'PHONE_INBOUND'],
      [{ agentNativeIds: agents, statuses: ['ENDED'] }, (c) => agents.includes(c.agentRef?.nativeId ?? '') && c.status.value === 'ENDED'],
    ];
    for (const [filter, matches] of cases) {
      const expected = everything.filter(matches);
      expect(expected.length).toBeGreaterThan(0);
      const { items } = await readAll(demo, filter, 5);
      expect(ids(items)).toEqual(ids(expected));
      const first = await demo.listConversations({ filter, limit: 5, withTotal: true });
      expect(first.totalCount).toBe(expected.length);
    }
    expect(everything.filter((c) => c.status.value === 'IN_PROGRESS')).toHaveLength(2);
  });

  it('finds the documented conversation by its prospect', async () => {
    const page = await demo.listConversations({ filter: { prospectNativeIds: [HARI] }, limit: 10, withTotal: true });
    expect(ids(page.items)).toEqual([DOCUMENTED_CONVERSATION_ID]);
    expect(page).toMatchObject({ totalCount: 1, hasMore: false });
  });

  it('reads the documented conversation exactly as the pure mapping does', async () => {
    const [conversation] = await demo.getConversations([DOCUMENTED_CONVERSATION_ID]);
    expect(conversation).toEqual(mapTrataConversation(trataConversationSchema.parse(documentedConversationRecord())));
    expect(conversation?.transcript?.messages).toHaveLength(24);
  });

  it('turns a response that lost a required field into a typed error naming it', async () => {
    simulator.server.setFault(LIST, { kind: 'drift', field: 'createdAt', to: 'delete' });
    try {
      const error = await demo.listConversations({ filter: {}, limit: 3 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderBadResponseError);
      expect((error as ProviderBadResponseError).issues).toContain('data.0.createdAt');
    } finally {
      simulator.server.setFault(LIST, null);
    }
  });

  it('checks a listed record beyond its position only when it is read, with a typed error naming the broken field', async () => {
    simulator.server.setFault(LIST, { kind: 'drift', field: 'status', to: { value: 42 } });
    try {
      const page = await demo.listConversations({ filter: {}, limit: 3 });
      // Ordering, merging and cursors read the position only; it is intact.
      expect(ids(page.items)).toEqual(ids(everything.slice(0, 3)));
      expect(page.items[1]!.createdAt).toEqual(everything[1]!.createdAt);
      let error: unknown;
      try {
        void page.items[1]!.status;
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(ProviderBadResponseError);
      expect((error as ProviderBadResponseError).issues).toEqual(['data.1.status']);
    } finally {
      simulator.server.setFault(LIST, null);
    }
    // A record that keeps the contract reads exactly as the eager mapping did.
    const [first] = (await demo.listConversations({ filter: {}, limit: 1 })).items;
    expect(first).toEqual(everything[0]);
    expect(first!.transcript).toEqual(everything[0]!.transcript);
  });
});

describe('batch gets', () => {
  it('answers conversations in key order with null for unknown ids, in one request', async () => {
    const [a, b] = everything;
    const result = await demo.getConversations([b!.nativeId, 'con.1700000000.NoSuchId', a!.nativeId, b!.nativeId]);
    expect(ids(result)).toEqual([b!.nativeId, null, a!.nativeId, b!.nativeId]);
    expect(result[0]).toEqual(b);
    expect(simulator.server.count(LIST)).toBe(1);
    expect(simulator.server.count('GET /v1/conversations/:id')).toBe(0);
  });

  it('splits more than 100 ids into requests of 100', async () => {
    const wanted = everything.slice(0, 110).map((c) => c.nativeId);
    const result = await demo.getConversations(wanted);
    expect(ids(result)).toEqual(wanted);
    expect(simulator.server.count(LIST)).toBe(2);
  });

  it('gets agents and prospects with one request each', async () => {
    const agents = await demo.getAgents(['aia.1719914136.zl2fxvXB', 'aia.0.missing', SOPHIA]);
    expect(agents.map((a) => a?.name ?? null)).toEqual(['Alex', null, 'Sophia']);
    expect(agents[2]?.initialMessage).toBe(
      'Hi, thanks for calling the Restaurant. I am Sophia, the Restaurant manager powered by AI, how may I assist you today?',
    );
    const prospects = await prospectsOf(demo).getProspects([HARI, 'pro.0.missing']);
    expect(prospects[0]).toMatchObject({
      nativeId: HARI,
      name: 'Hari',
      phone: { raw: '96260-12778', e164: null },
      email: 'hari@gmail.com',
      status: 'SERVICE_ORDER_PLACED',
    });
    expect(prospects[1]).toBeNull();
    expect(simulator.server.count('GET /v1/agents')).toBe(1);
    expect(simulator.server.count('GET /v1/prospects')).toBe(1);
    expect(await demo.getAgents([])).toEqual([]);
    expect(simulator.server.stats().total).toBe(2);
  });
});

describe('offset lists', () => {
  it('serves any agent or prospect window from one request when one page can hold it', async () => {
    const allAgents = await demo.listAgents({ offset: 0, limit: 100 });
    expect(allAgents.totalCount).toBe(6);
    expect(allAgents.items.map((a) => a.nativeId)).toEqual(expect.arrayContaining([SOPHIA, 'aia.1719914136.zl2fxvXB']));

    const allProspects = await prospectsOf(demo).listProspects({ offset: 0, limit: 100 });
    expect(allProspects.totalCount).toBe(40);
    simulator.server.resetStats();
    for (const [offset, limit] of [[5, 10], [2, 3], [35, 10], [40, 5]] as const) {
      const window = await prospectsOf(demo).listProspects({ offset, limit });
      expect(window.items).toEqual(allProspects.items.slice(offset, offset + limit));
      expect(window.totalCount).toBe(40);
    }
    expect(simulator.server.count('GET /v1/prospects')).toBe(4);
  });
});

describe('what Trata cannot do, and who may see what', () => {
  it('reads prospects and has no creator: Trata cannot place conversations', () => {
    expect(demo.prospects).toBeDefined();
    expect(demo.creator).toBeUndefined();
    expect(simulator.server.stats().total).toBe(0);
  });

  it('turns a refused token into ProviderUnauthorizedError', async () => {
    const stranger = connectorFor('not-a-trata-token');
    await expect(stranger.listConversations({ filter: {}, limit: 5 })).rejects.toBeInstanceOf(ProviderUnauthorizedError);
    await expect(stranger.getAgents([SOPHIA])).rejects.toMatchObject({ code: 'PROVIDER_UNAUTHORIZED', httpStatus: 401 });
  });

  it('keeps each account to its own data', async () => {
    const acmeAll = (await readAll(acme, {}, 100)).items;
    expect(acmeAll).toHaveLength(120);
    const demoIds = new Set(ids(everything));
    expect(acmeAll.some((c) => demoIds.has(c.nativeId))).toBe(false);
    expect(await acme.getConversations([DOCUMENTED_CONVERSATION_ID, everything[0]!.nativeId])).toEqual([null, null]);
    expect(await acme.getAgents([SOPHIA])).toEqual([null]);
    expect(await prospectsOf(acme).getProspects([HARI])).toEqual([null]);
  });
});

describe('the simulator speaks the documented POST /v1/conversations', () => {
  const post = (baseUrl: string, token: string, body: string) =>
    fetch(`${baseUrl}/v1/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });

  it('stores the documented request and answers with the documented response shape', async () => {
    const now = new Date(DEMO_ANCHOR.getTime() + 3_600_000);
    const own = createTrataSimulator({ now: () => now });
    const url = await own.listen(0);
    try {
      // The documented request names the demo account's billing agent.
      const response = await post(url, DEMO.token, DOCUMENTED_CONVERSATION_REQUEST);
      expect(response.status).toBe(200);
      const body = (await response.json()) as Record<string, unknown>;
      const documentedKeys = Object.keys(JSON.parse(DOCUMENTED_CONVERSATION_RESPONSE) as object);
      expect(Object.keys(body)).toEqual(documentedKeys);
      expect(body).toMatchObject({
        aiAgentId: 'aia.1719914136.zl2fxvXB',
        sourceType: 'BROWSER',
        source: 'device12345',
        transcriptText: [],
        transcriptSummary: 'The conversation was about resolving billing issues.',
        timestampStart: '2023-11-07T05:31:56.000000',
        status: 'active',
        createdAt: '2026-11-20T13:00:00.000000',
      });
      expect(body.prospectId).toMatch(/^pro\.\d{10}\.[A-Za-z0-9]{8}$/);

      // The stored record is the newest, carries its id and admin comments, and stays in its account.
      const demoConnector = connectorFor(DEMO.token, url);
      const { items } = await demoConnector.listConversations({ filter: {}, limit: 1 });
      expect(items[0]).toMatchObject({
        nativeId: expect.stringMatching(/^con\.1795179600\.[A-Za-z0-9]{8}$/),
        agentRef: { provider: 'TRATA', nativeId: 'aia.1719914136.zl2fxvXB' },
        transcript: { messages: [], duplicatesRemoved: 0 },
        adminComments: [{ comment: 'good', rating: 5 }],
        createdAt: now,
      });
      const [prospect] = await prospectsOf(demoConnector).getProspects([body.prospectId as string]);
      expect(prospect).toMatchObject({ name: '<string>', status: 'NEW' });
      const acmeConnector = connectorFor(ACME.token, url);
      expect(await acmeConnector.getConversations([items[0]!.nativeId])).toEqual([null]);
    } finally {
      await own.close();
    }
  });

  it('refuses a body without an agent, or with an agent of another account', async () => {
    const withoutAgent = await post(simulator.url, DEMO.token, JSON.stringify({ sourceType: 'BROWSER' }));
    expect(withoutAgent.status).toBe(422);
    expect(await withoutAgent.json()).toMatchObject({ detail: [{ loc: ['body', 'agentId'] }] });
    const foreignAgent = await post(simulator.url, ACME.token, JSON.stringify({ sourceType: 'BROWSER', agentId: SOPHIA }));
    expect(foreignAgent.status).toBe(404);
    expect(await foreignAgent.json()).toEqual({ detail: 'Agent not found' });
  });

  it('answers 401 with the assumed body to a missing or wrong token', async () => {
    const response = await fetch(`${simulator.url}/v1/agents`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: 'Not authenticated' });
  });
});
