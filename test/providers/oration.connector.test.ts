import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/domain/types.ts';
import {
  REQUEST_ID_VARIABLE,
  type ConversationCreator,
  type ConversationFilter,
  type ConversationPosition,
  type ProviderConnector,
} from '../../src/providers/connector.ts';
import { ProviderRateLimitedError, ProviderUnauthorizedError } from '../../src/providers/errors.ts';
import { createProviderDispatcher } from '../../src/providers/http.ts';
import { compareNewestFirst } from '../../src/providers/paging.ts';
import { createOrationConnector } from '../../src/providers/oration/orationConnector.ts';
import { DEMO_ACCOUNTS } from '../../src/simulators/demoAccounts.ts';
import { createOrationSimulator, type OrationSimulator } from '../../src/simulators/oration/orationSimulator.ts';
import { ORATION_DOCUMENTED_IDS } from '../../src/simulators/oration/samples.ts';

const [DEMO, ACME] = DEMO_ACCOUNTS.oration;
const LIST = 'GET /api/v2/conversations';
/** Seeded past conversations per account, plus the document's sample in the demo account. */
const HISTORIC = 150;

interface Harness {
  simulator: OrationSimulator;
  dispatcher: Dispatcher;
  connect(account: { apiKey: string; workspaceId: string }): ProviderConnector;
}

/** The connector's creator; Oration always has one. */
function creatorOf(connector: ProviderConnector): ConversationCreator {
  if (!connector.creator) throw new Error('the Oration connector has no creator');
  return connector.creator;
}

function useSimulator(): Harness {
  const harness = {} as Harness;
  beforeAll(async () => {
    harness.simulator = createOrationSimulator({ historicConversations: HISTORIC });
    const url = await harness.simulator.listen(0);
    harness.dispatcher = createProviderDispatcher();
    harness.connect = (account) =>
      createOrationConnector({
        baseUrl: `${url}/api/v2`,
        credentials: { apiKey: account.apiKey, workspaceId: account.workspaceId },
        transport: { dispatcher: harness.dispatcher, resilience: null },
      });
  });
  afterAll(async () => {
    await harness.dispatcher.close();
    await harness.simulator.close();
  });
  return harness;
}

/** Follows keyset cursors from the start until the connector says nothing follows. */
async function readAll(connector: ProviderConnector, filter: ConversationFilter, limit: number): Promise<Conversation[]> {
  const all: Conversation[] = [];
  let after: ConversationPosition | null = null;
  for (let call = 0; call < 200; call++) {
    const page = await connector.listConversations({ filter, after, limit });
    all.push(...page.items);
    const last = page.items.at(-1);
    if (!page.hasMore || !last) return all;
    after = { createdAt: last.createdAt, nativeId: last.nativeId };
  }
  throw new Error('listing did not finish');
}

describe('Oration connector reads', () => {
  const h = useSimulator();

  it('lists newest first and pages with keyset cursors without duplicates or gaps', async () => {
    const connector = h.connect(DEMO);
    const first = await connector.listConversations({ filter: {}, limit: 7, withTotal: true });
    expect(first.totalCount).toBe(HISTORIC + 1);
    expect(first.items).toHaveLength(7);
    expect(first.hasMore).toBe(true);

    const all = await readAll(connector, {}, 7);
    expect(all).toHaveLength(HISTORIC + 1);
    expect(new Set(all.map((c) => c.nativeId)).size).toBe(HISTORIC + 1);
    for (let i = 1; i < all.length; i++) {
      expect(compareNewestFirst(all[i - 1] as Conversation, all[i] as Conversation)).toBeLessThan(0);
    }
    expect(all.at(-1)?.nativeId).toBe(ORATION_DOCUMENTED_IDS.sampleConversation); // 2023: the oldest
  });

  it('answers a page of n with one upstream request when every filter is pushed down', async () => {
    const connector = h.connect(DEMO);
    h.simulator.server.resetStats();
    const page = await connector.listConversations({ filter: { statuses: ['FAILED'] }, limit: 5 });
    expect(page.items.every((c) => c.status.value === 'FAILED')).toBe(true);
    expect(h.simulator.server.count(LIST)).toBe(1);
  });

  it('applies each filter and counts the matches', async () => {
    const connector = h.connect(DEMO);
    const everything = await readAll(connector, {}, 100);
    const expectMatches = async (filter: ConversationFilter, predicate: (c: Conversation) => boolean) => {
      const expected = everything.filter(predicate).map((c) => c.nativeId);
      expect(expected.length).toBeGreaterThan(0);
      const listed = await readAll(connector, filter, 25);
      expect(listed.map((c) => c.nativeId)).toEqual(expected);
      const counted = await connector.listConversations({ filter, limit: 1, withTotal: true });
      expect(counted.totalCount).toBe(expected.length);
    };

    await expectMatches({ statuses: ['FAILED'] }, (c) => c.status.value === 'FAILED');
    await expectMatches({ statuses: ['ENDED', 'QUEUED'] }, (c) => ['ENDED', 'QUEUED'].includes(c.status.value));
    await expectMatches({ channels: ['CHAT'] }, (c) => c.channel.value === 'CHAT');
    await expectMatches({ channels: ['PHONE_INBOUND'] }, (c) => c.channel.value === 'PHONE_INBOUND');
    await expectMatches(
      { channels: ['PHONE_INBOUND', 'PHONE_OUTBOUND', 'PHONE'] },
      (c) => c.channel.value.startsWith('PHONE'),
    );
    await expectMatches(
      { agentNativeIds: [ORATION_DOCUMENTED_IDS.exampleAgent] },
      (c) => c.agentRef?.nativeId === ORATION_DOCUMENTED_IDS.exampleAgent,
    );
    const twoAgents: string[] = [ORATION_DOCUMENTED_IDS.exampleAgent, ORATION_DOCUMENTED_IDS.sampleAgent];
    await expectMatches({ agentNativeIds: twoAgents }, (c) => twoAgents.includes(c.agentRef?.nativeId ?? ''));

    const middle = everything[40] as Conversation;
    const late = everything[10] as Conversation;
    await expectMatches({ createdAfter: middle.createdAt }, (c) => c.createdAt > middle.createdAt);
    await expectMatches({ createdBefore: middle.createdAt }, (c) => c.createdAt < middle.createdAt);
    await expectMatches(
      { createdAfter: middle.createdAt, createdBefore: late.createdAt, statuses: ['ENDED'] },
      (c) => c.createdAt > middle.createdAt && c.createdAt < late.createdAt && c.status.value === 'ENDED',
    );
  });

  it('answers filters no Oration conversation can match without asking Oration', async () => {
    const connector = h.connect(DEMO);
    h.simulator.server.resetStats();
    const prospects = await connector.listConversations({ filter: { prospectNativeIds: ['p-1'] }, limit: 5, withTotal: true });
    const web = await connector.listConversations({ filter: { channels: ['WEB'] }, limit: 5, withTotal: true });
    expect(prospects).toEqual({ items: [], totalCount: 0, hasMore: false });
    expect(web).toEqual({ items: [], totalCount: 0, hasMore: false });
    expect(h.simulator.server.stats().total).toBe(0);
  });

  it('gets conversations by id with one request, in key order, null for unknown ids', async () => {
    const connector = h.connect(DEMO);
    const [a, b] = (await connector.listConversations({ filter: {}, limit: 2 })).items;
    if (!a || !b) throw new Error('the demo account has conversations');
    h.simulator.server.resetStats();
    const got = await connector.getConversations([b.nativeId, 'no-such-id', ORATION_DOCUMENTED_IDS.sampleConversation, b.nativeId, a.nativeId]);
    expect(got.map((c) => c?.nativeId ?? null)).toEqual([
      b.nativeId,
      null,
      ORATION_DOCUMENTED_IDS.sampleConversation,
      b.nativeId,
      a.nativeId,
    ]);
    expect(h.simulator.server.count(LIST)).toBe(1);
    expect(h.simulator.server.count('GET /api/v2/conversations/:id')).toBe(0);
  });

  it('splits a batch get into chunks of 100 ids', async () => {
    const connector = h.connect(DEMO);
    const everything = await readAll(connector, {}, 100);
    const ids = everything.slice(0, 130).map((c) => c.nativeId);
    h.simulator.server.resetStats();
    const got = await connector.getConversations(ids);
    expect(got.map((c) => c?.nativeId)).toEqual(ids);
    expect(h.simulator.server.count(LIST)).toBe(2);
  });

  it('lists agents by offset and gets them by id in one request', async () => {
    const connector = h.connect(DEMO);
    const all = await connector.listAgents({ offset: 0, limit: 50 });
    expect(all.totalCount).toBe(6);
    expect(all.items.map((a) => a.nativeId)).toEqual(
      expect.arrayContaining([ORATION_DOCUMENTED_IDS.sampleAgent, ORATION_DOCUMENTED_IDS.exampleAgent]),
    );
    const window = await connector.listAgents({ offset: 2, limit: 3 });
    expect(window.items.map((a) => a.nativeId)).toEqual(all.items.slice(2, 5).map((a) => a.nativeId));
    expect(window.totalCount).toBe(6);

    h.simulator.server.resetStats();
    const got = await connector.getAgents([ORATION_DOCUMENTED_IDS.exampleAgent, 'nobody']);
    expect(got[0]?.name).toBe('Membership Concierge');
    expect(got[1]).toBeNull();
    expect(h.simulator.server.count('GET /api/v2/agents')).toBe(1);
  });

  it('has no prospects: the part is absent, not a stub', () => {
    expect(h.connect(DEMO).prospects).toBeUndefined();
  });

  it('turns refused credentials into ProviderUnauthorizedError', async () => {
    const connector = h.connect({ apiKey: DEMO.apiKey, workspaceId: ACME.workspaceId });
    const failure = connector.listConversations({ filter: {}, limit: 5 });
    await expect(failure).rejects.toBeInstanceOf(ProviderUnauthorizedError);
    await expect(failure).rejects.toMatchObject({ provider: 'ORATION', httpStatus: 401, endpoint: 'conversations.list' });
  });

  it('keeps the two accounts apart', async () => {
    const demo = await readAll(h.connect(DEMO), {}, 100);
    const acme = await readAll(h.connect(ACME), {}, 100);
    expect(acme).toHaveLength(HISTORIC);
    const demoIds = new Set(demo.map((c) => c.nativeId));
    expect(acme.some((c) => demoIds.has(c.nativeId))).toBe(false);
    expect(await h.connect(ACME).getConversations([ORATION_DOCUMENTED_IDS.sampleConversation])).toEqual([null]);
    expect(await h.connect(ACME).getAgents([ORATION_DOCUMENTED_IDS.exampleAgent])).toEqual([null]);
  });
});

describe('Oration connector creates', () => {
  const h = useSimulator();

  it('creates conversations tagged with request ids and matches results back by the tag', async () => {
    const connector = h.connect(DEMO);
    const createdAfter = new Date(Date.now() - 60_000);
    const result = await creatorOf(connector).createConversations([
      {
        requestId: 'req-phone',
        agentNativeId: ORATION_DOCUMENTED_IDS.exampleAgent,
        channel: 'PHONE_OUTBOUND',
        toNumber: '+14155550100',
        sipTrunkAddress: null,
        dynamicVariables: { customerName: 'Bob Johnson', appointmentTime: '3:00 PM' },
      },
      {
        requestId: 'req-unknown-agent',
        agentNativeId: 'no-such-agent',
        channel: 'CHAT',
        toNumber: null,
        sipTrunkAddress: null,
        dynamicVariables: {},
      },
      {
        requestId: 'req-chat',
        agentNativeId: ORATION_DOCUMENTED_IDS.sampleAgent,
        channel: 'CHAT',
        toNumber: null,
        sipTrunkAddress: null,
        dynamicVariables: { pageUrl: 'https://example.com/' },
      },
    ]);

    expect(result.outcomes.map((o) => [o.requestId, o.ok])).toEqual([
      ['req-phone', true],
      ['req-unknown-agent', false],
      ['req-chat', true],
    ]);
    const [phone, refused, chat] = result.outcomes;
    if (!phone?.ok || refused?.ok !== false || !chat?.ok) throw new Error('unexpected outcomes');
    expect(refused.reason).toContain('no-such-agent');
    expect(phone.conversation.channel.value).toBe('PHONE_OUTBOUND');
    expect(phone.conversation.toNumber?.e164).toBe('+14155550100');
    // The tag travels to Oration and back, but the domain keeps it apart from the variables given.
    expect(phone.conversation.dynamicVariables).toEqual({ customerName: 'Bob Johnson', appointmentTime: '3:00 PM' });
    expect(phone.conversation.gatewayRequestId).toBe('req-phone');
    expect(chat.conversation.channel.value).toBe('CHAT');
    expect(result.rateLimit).toMatchObject({ limit: 20, remaining: 18 });
    expect(h.simulator.server.count('POST /api/v2/conversations')).toBe(1);

    const found = await creatorOf(connector).findConversationsByRequestIds(['req-phone', 'req-chat', 'req-unknown-agent'], createdAfter);
    expect([...found.keys()].sort()).toEqual(['req-chat', 'req-phone']);
    expect(found.get('req-phone')?.nativeId).toBe(phone.conversation.nativeId);
    // The created conversation is now part of the account's list and batch get.
    const [again] = await connector.getConversations([chat.conversation.nativeId]);
    expect(again?.nativeId).toBe(chat.conversation.nativeId);
  });

  it('creates chat and telephony only (the document has no web type) and sends nothing for a WEB item', async () => {
    const creator = creatorOf(h.connect(DEMO));
    expect(creator.channels).toEqual(['PHONE_OUTBOUND', 'CHAT']);
    const postsBefore = h.simulator.server.count('POST /api/v2/conversations');
    const web = { requestId: 'req-web', agentNativeId: ORATION_DOCUMENTED_IDS.sampleAgent, channel: 'WEB' as const, toNumber: null, sipTrunkAddress: null, dynamicVariables: {} };
    await expect(creator.createConversations([web])).rejects.toThrow(new RangeError('Oration cannot create WEB conversations'));
    expect(h.simulator.server.count('POST /api/v2/conversations')).toBe(postsBefore);
  });

  it('finds nothing created before the given instant', async () => {
    const found = await creatorOf(h.connect(DEMO)).findConversationsByRequestIds(['req-phone'], new Date(Date.now() + 60_000));
    expect(found.size).toBe(0);
  });

  it('turns a 429 into ProviderRateLimitedError with the wait Oration asked for', async () => {
    const connector = h.connect(ACME);
    h.simulator.setConcurrencyLimit(ACME.workspaceId, 0);
    const failure = creatorOf(connector).createConversations([
      {
        requestId: 'req-over-budget',
        agentNativeId: (await connector.listAgents({ offset: 0, limit: 1 })).items[0]?.nativeId ?? '',
        channel: 'CHAT',
        toNumber: null,
        sipTrunkAddress: null,
        dynamicVariables: {},
      },
    ]);
    await expect(failure).rejects.toBeInstanceOf(ProviderRateLimitedError);
    await expect(failure).rejects.toMatchObject({ httpStatus: 429, retryAfterMs: 1000 });
    expect(h.simulator.budgetStats()[ACME.workspaceId]).toMatchObject({ created: 0, rejected429: 1 });
  });

  it('refuses a slice larger than one create may carry before sending anything', async () => {
    const connector = h.connect(DEMO);
    const tooMany = Array.from({ length: creatorOf(connector).maxConversationsPerCreate + 1 }, (_, i) => ({
      requestId: `req-${i}`,
      agentNativeId: ORATION_DOCUMENTED_IDS.sampleAgent,
      channel: 'CHAT' as const,
      toNumber: null,
      sipTrunkAddress: null,
      dynamicVariables: {},
    }));
    h.simulator.server.resetStats();
    await expect(creatorOf(connector).createConversations(tooMany)).rejects.toBeInstanceOf(RangeError);
    expect(h.simulator.server.stats().total).toBe(0);
  });
});
