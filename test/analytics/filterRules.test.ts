import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareInstants, formatInstant, parseInstant, PreciseDate } from '../../src/domain/preciseDate.ts';
import { CONVERSATION_CHANNELS, CONVERSATION_STATUSES, PROVIDERS, type Conversation } from '../../src/domain/types.ts';
import { startLiveGateway, type LiveGateway } from '../sync/liveGateway.ts';
import { providerConversations } from './biFixtures.ts';
import { parseCsv } from './csvParser.ts';

/**
 * The filter rules every entry point shares (docs/providers.md#filters): `conversations` (the
 * providers, live), `conversationStats` and the exports (the synced store).
 */
const CONVERSATIONS = `query ($filter: ConversationFilter) { conversations(first: 3, filter: $filter) { totalCount nodes { id } } }`;
const STATS = `query ($filter: ConversationStatsFilter, $groupBy: [ConversationStatsGroupBy!]) {
  conversationStats(filter: $filter, groupBy: $groupBy) { groups { provider conversations } }
}`;
const TOTAL = `query ($filter: ConversationFilter) { conversations(first: 0, filter: $filter) { totalCount } }`;
const STATS_TOTAL = `query ($filter: ConversationStatsFilter) { conversationStats(filter: $filter) { groups { conversations } } }`;
const CONVERSATION_LISTS = ['providers', 'statuses', 'channels', 'agentIds', 'prospectIds'] as const;
const STATS_LISTS = [...CONVERSATION_LISTS, 'endReasons', 'sentiments'] as const;

describe('filter rules shared by conversations, conversationStats and the exports', () => {
  let gateway: LiveGateway;
  const get = (path: string) => fetch(`${gateway.origin}${path}`, { headers: { authorization: 'Bearer demo-key' } });
  let everything: number;

  beforeAll(async () => {
    gateway = await startLiveGateway();
    await gateway.runtime.live.sync.syncOnce();
    const all = await gateway.query<{ conversations: { totalCount: number } }>(CONVERSATIONS, {});
    everything = all.data?.conversations.totalCount ?? -1;
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('in GraphQL, an empty list matches nothing, for every list filter of conversations and conversationStats', async () => {
    expect(everything).toBeGreaterThan(0);
    for (const field of CONVERSATION_LISTS) {
      const answer = await gateway.query(CONVERSATIONS, { filter: { [field]: [] } });
      expect([field, answer]).toEqual([field, { data: { conversations: { totalCount: 0, nodes: [] } } }]);
    }
    for (const field of STATS_LISTS) {
      const answer = await gateway.query(STATS, { filter: { [field]: [] }, groupBy: ['PROVIDER'] });
      expect([field, answer]).toEqual([field, { data: { conversationStats: { groups: [] } } }]);
    }
    const whole = await gateway.query(STATS, { filter: { statuses: [] } });
    expect(whole).toEqual({ data: { conversationStats: { groups: [{ provider: null, conversations: 0 }] } } });
    const lists = await gateway.query(`{ agents(providers: []) { totalCount nodes { id } } prospects(providers: []) { totalCount nodes { id } } }`);
    expect(lists).toEqual({ data: { agents: { totalCount: 0, nodes: [] }, prospects: { totalCount: 0, nodes: [] } } });
  });

  it('on the exports, an empty list value is refused with 400 naming the parameter', async () => {
    for (const parameter of STATS_LISTS) {
      const response = await get(`/exports/conversations.csv?${parameter}=`);
      expect([parameter, response.status]).toEqual([parameter, 400]);
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', parameter } }] });
    }
    const emptyItem = await get('/exports/conversations.csv?statuses=ENDED,');
    expect(emptyItem.status).toBe(400);
    expect(await emptyItem.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', parameter: 'statuses' } }] });
  });

  /** How many conversations each entry point finds for one filter of bounds. */
  async function countsFor(filter: Record<string, string>) {
    const conversations = await gateway.query<{ conversations: { totalCount: number } }>(TOTAL, { filter });
    const stats = await gateway.query<{ conversationStats: { groups: { conversations: number }[] } }>(STATS_TOTAL, { filter });
    const query = new URLSearchParams(filter).toString();
    const exported = parseCsv(await (await get(`/exports/conversations.csv?${query}`)).text()).rows.length;
    return {
      conversations: conversations.data?.conversations.totalCount ?? conversations.errors,
      // With no groupBy there is one group at most.
      stats: stats.data?.conversationStats.groups.reduce((total, group) => total + group.conversations, 0) ?? stats.errors,
      exports: exported,
    };
  }

  it('each channel and each status means the same in every entry point, on every provider', async () => {
    // `channels: [PHONE]` found 114 VoiceOS calls of either direction in conversations, none in
    // conversationStats and the exports (a frontend trial): VoiceOS read PHONE as both directions.
    for (const [field, values] of [['channels', CONVERSATION_CHANNELS], ['statuses', CONVERSATION_STATUSES]] as const) {
      for (const value of values) {
        const filter = { [field]: [value] };
        const conversations = await gateway.query<{ conversations: { totalCount: number } }>(TOTAL, { filter });
        const stats = await gateway.query<{ conversationStats: { groups: { conversations: number }[] } }>(STATS_TOTAL, { filter });
        const exported = parseCsv(await (await get(`/exports/conversations.csv?${field}=${value}`)).text()).rows.length;
        const counts = {
          conversations: conversations.data?.conversations.totalCount,
          stats: stats.data?.conversationStats.groups.reduce((total, group) => total + group.conversations, 0),
          exports: exported,
        };
        expect([field, value, counts]).toEqual([field, value, { conversations: exported, stats: exported, exports: exported }]);
      }
    }
  });

  it('createdAfter and createdBefore are both exclusive, at the provider\'s precision, alike in every entry point', async () => {
    const connectors = gateway.runtime.registry.get('demo')?.connectors;
    const all: Conversation[] = [];
    for (const provider of PROVIDERS) {
      const connector = connectors?.get(provider);
      if (!connector) throw new Error(`demo has no ${provider}`);
      all.push(...(await providerConversations(connector)));
    }
    // A Trata record written with microseconds (a bound a JavaScript Date would cut), and a bound
    // half a millisecond past a millisecond provider's record (a bound to round the other way).
    const trata = all.find((each) => each.provider === 'TRATA' && formatInstant(each.createdAt).length === 27 && each.createdAt.getUTCMilliseconds() !== 0);
    const oration = all.find((each) => each.provider === 'ORATION');
    if (!trata || !oration) throw new Error('the demo has Trata and Oration conversations');
    const bounds = [formatInstant(trata.createdAt), formatInstant(new PreciseDate(oration.createdAt.getTime(), 500_000, 6))];
    expect(bounds[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    for (const bound of bounds) {
      const instant = parseInstant(bound, { zoneless: 'reject' });
      if (!instant) throw new Error(bound);
      const after = all.filter((each) => compareInstants(each.createdAt, instant) > 0).length;
      const before = all.filter((each) => compareInstants(each.createdAt, instant) < 0).length;
      expect([bound, await countsFor({ createdAfter: bound })]).toEqual([bound, { conversations: after, stats: after, exports: after }]);
      expect([bound, await countsFor({ createdBefore: bound })]).toEqual([bound, { conversations: before, stats: before, exports: before }]);
    }
    // The Trata record is on its own bound: neither after nor before it.
    const trataBound = parseInstant(bounds[0] ?? '', { zoneless: 'reject' });
    expect(all.filter((each) => trataBound && compareInstants(each.createdAt, trataBound) === 0).map((each) => `${each.provider}:${each.nativeId}`)).toEqual([`TRATA:${trata.nativeId}`]);
    // Both bounds: an empty window, and a window of exactly one millisecond record.
    expect(await countsFor({ createdAfter: bounds[0] ?? '', createdBefore: bounds[0] ?? '' })).toEqual({ conversations: 0, stats: 0, exports: 0 });
    const millis = oration.createdAt.getTime();
    const window = { createdAfter: formatInstant(new PreciseDate(millis - 1, 500_000, 6)), createdBefore: formatInstant(new PreciseDate(millis, 500_000, 6)) };
    const inWindow = all.filter((each) => each.createdAt.getTime() === oration.createdAt.getTime()).length;
    expect(await countsFor(window)).toEqual({ conversations: inWindow, stats: inWindow, exports: inWindow });
  });

  it('bounds at the ends of the years 0001-9999 find nothing beyond them and everything within, alike in every entry point', async () => {
    // Moved to a provider's precision (the next microsecond, the millisecond above), a bound at the
    // end passed year 9999 and went upstream as `+010000-…`, which the providers refuse; the synced
    // store's whole-hour slots after it started in year 10000 (INTERNAL_SERVER_ERROR).
    const none = { conversations: 0, stats: 0, exports: 0 };
    const all = { conversations: everything, stats: everything, exports: everything };
    const last = '9999-12-31T23:59:59.999999999Z';
    const first = '0001-01-01T00:00:00Z';
    expect(await countsFor({ createdAfter: last })).toEqual(none);
    expect(await countsFor({ createdBefore: last })).toEqual(all);
    expect(await countsFor({ createdBefore: first })).toEqual(none);
    expect(await countsFor({ createdAfter: first })).toEqual(all);
  });

  it('refuses a bound outside the years 0001-9999 in UTC, naming the field, alike in every entry point', async () => {
    // Both valid RFC 3339, but PostgreSQL has no year 0000 and no provider writes year 10000.
    for (const value of ['0000-12-31T23:59:59Z', '0001-01-01T00:30:00+01:00', '9999-12-31T23:59:59-01:00', '10000-01-01T00:00:00Z', '+010000-01-01T00:00:00Z']) {
      for (const field of ['createdAfter', 'createdBefore']) {
        const conversations = await gateway.query(TOTAL, { filter: { [field]: value } });
        const stats = await gateway.query(STATS_TOTAL, { filter: { [field]: value } });
        const refused = { errors: [{ message: expect.stringContaining('DateTime must be within the years 0001 to 9999 in UTC'), extensions: { code: 'BAD_USER_INPUT', field } }] };
        expect([value, field, conversations]).toMatchObject([value, field, refused]);
        expect([value, field, stats]).toMatchObject([value, field, refused]);
        const exported = await get(`/exports/conversations.csv?${new URLSearchParams({ [field]: value }).toString()}`);
        expect([value, field, exported.status]).toEqual([value, field, 400]);
        expect(await exported.json()).toMatchObject({ errors: [{ message: `${field}: "${value}" must be within the years 0001 to 9999 in UTC`, extensions: { code: 'BAD_USER_INPUT', parameter: field } }] });
      }
    }
  });

  it('refuses a malformed id, or an id of another type, in an id filter with BAD_USER_INPUT naming the field, alike in every entry point', async () => {
    const conversationId = (await gateway.query<{ conversations: { nodes: { id: string }[] } }>(CONVERSATIONS, {})).data?.conversations.nodes[0]?.id;
    if (!conversationId) throw new Error('the demo has conversations');
    // An id naming NUL reached PostgreSQL, which refused it: INTERNAL_SERVER_ERROR, and an export cut off without a status (a security trial).
    const withNul = { agentIds: Buffer.from('sb1:ORATION:Agent:a\u0000b').toString('base64url'), prospectIds: Buffer.from('sb1:TRATA:Prospect:p\u0000q').toString('base64url') };
    for (const field of ['agentIds', 'prospectIds'] as const) {
      for (const id of ['bad', conversationId, withNul[field]]) {
        for (const query of [CONVERSATIONS, STATS]) {
          const answer = await gateway.query(query, { filter: { [field]: [id] } });
          expect([field, id, answer.data ?? null]).toEqual([field, id, null]);
          expect(answer.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', field } }]);
        }
        const exported = await get(`/exports/conversations.csv?${field}=${encodeURIComponent(id)}`);
        expect([field, id, exported.status]).toEqual([field, id, 400]);
        expect(await exported.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', parameter: field } }] });
      }
    }
  });
});
