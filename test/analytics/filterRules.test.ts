import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveGateway, type LiveGateway } from '../sync/liveGateway.ts';

/**
 * The filter rules every entry point shares (docs/providers.md#filters): `conversations` (the
 * providers, live), `conversationStats` and the exports (the synced store).
 */
const CONVERSATIONS = `query ($filter: ConversationFilter) { conversations(first: 3, filter: $filter) { totalCount nodes { id } } }`;
const STATS = `query ($filter: ConversationStatsFilter, $groupBy: [ConversationStatsGroupBy!]) {
  conversationStats(filter: $filter, groupBy: $groupBy) { groups { provider conversations } }
}`;
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
});
