import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

const PAGE_QUERY = /* GraphQL */ `
  query Page($first: Int, $after: String, $filter: ConversationFilter) {
    conversations(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id provider nativeId status createdAt
          agent { id name }
          prospect { id name }
          transcript { messages { speaker text } }
          cost { totalUsd }
        }
      }
    }
  }
`;

interface PageNode {
  id: string;
  provider: string;
  nativeId: string;
  status: string;
  createdAt: string;
  agent: { id: string; name: string | null } | null;
  prospect: { id: string; name: string | null } | null;
  transcript: { messages: { speaker: string; text: string }[] } | null;
  cost: { totalUsd: number | null } | null;
}
interface PageData {
  conversations: {
    totalCount: number | null;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: PageNode }[];
  };
}

describe('read path over the three simulators', () => {
  let gw: TestGateway;
  const sims = () => {
    const { oration, trata, voiceos } = gw.demo.simulators;
    if (!oration || !trata || !voiceos) throw new Error('demo simulators missing');
    return { oration, trata, voiceos };
  };

  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(() => {
    for (const sim of Object.values(sims())) sim.server.resetStats();
  });

  it('answers the README query with conversations from all three providers', async () => {
    const { status, body } = await gw.query<PageData>(PAGE_QUERY, { first: 50 });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const nodes = body.data!.conversations.edges.map((e) => e.node);
    expect(nodes).toHaveLength(50);
    expect(new Set(nodes.map((n) => n.provider))).toEqual(new Set(['ORATION', 'TRATA', 'VOICEOS']));
    expect(body.data!.conversations.totalCount).toBeGreaterThan(300);
    // Newest first across providers.
    const times = nodes.map((n) => Date.parse(n.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    // Each provider's shape shows through: cost only on VoiceOS, prospects and transcripts only on Trata.
    for (const node of nodes) {
      expect(node.agent).not.toBeNull();
      if (node.provider === 'VOICEOS') expect(node.transcript).toBeNull();
      if (node.provider !== 'VOICEOS') expect(node.cost).toBeNull();
      if (node.provider === 'TRATA') expect(node.transcript).not.toBeNull();
      if (node.provider !== 'TRATA') expect(node.prospect).toBeNull();
    }
  });

  it('costs at most one upstream request per provider and entity kind beyond the list calls', async () => {
    const { body } = await gw.query<PageData>(PAGE_QUERY, { first: 50 });
    expect(body.errors).toBeUndefined();
    const { oration, trata, voiceos } = sims();
    // List calls: one page per provider (50 fits one upstream page).
    expect(oration.server.count('GET /api/v2/conversations')).toBeLessThanOrEqual(1 + 1); // list (+ at most one batch get)
    expect(trata.server.count('GET /v1/conversations')).toBe(1);
    expect(voiceos.server.count('GET /v1/conversations')).toBe(1);
    // References: one batched request per provider per kind, whatever the page holds.
    expect(oration.server.count('GET /api/v2/agents')).toBeLessThanOrEqual(1);
    expect(oration.server.count('GET /api/v2/agents/:id')).toBe(0);
    expect(trata.server.count('GET /v1/agents')).toBeLessThanOrEqual(1);
    expect(trata.server.count('GET /v1/prospects')).toBeLessThanOrEqual(1);
    expect(trata.server.count('GET /v1/agents/:id')).toBe(0);
    expect(trata.server.count('GET /v1/prospects/:id')).toBe(0);
    // VoiceOS has no batch get: its saved agents come from one list request; inline ones cost nothing.
    expect(voiceos.server.count('GET /v1/agents')).toBeLessThanOrEqual(1);
    expect(voiceos.server.count('GET /v1/agents/:id')).toBe(0);
    const totalUpstream = oration.server.stats().total + trata.server.stats().total + voiceos.server.stats().total;
    expect(totalUpstream).toBeLessThanOrEqual(7);
  });

  it.each([100, 50, 10])('costs exactly 7 upstream requests for a page of %i', async (first) => {
    // Issue 8, part 6: each connector used to ask for `first + 1` items, so a page of 100 read a
    // second upstream page per provider (10 requests). `hasNextPage` now comes from what the
    // provider reports, so one page per provider answers any `first` up to its largest page.
    const { body } = await gw.query<PageData>(PAGE_QUERY, { first });
    expect(body.errors).toBeUndefined();
    expect(body.data!.conversations.edges).toHaveLength(first);
    expect(body.data!.conversations.pageInfo.hasNextPage).toBe(true);
    const { oration, trata, voiceos } = sims();
    expect(oration.server.count('GET /api/v2/conversations')).toBe(1);
    expect(trata.server.count('GET /v1/conversations')).toBe(1);
    expect(voiceos.server.count('GET /v1/conversations')).toBe(1);
    const totalUpstream = oration.server.stats().total + trata.server.stats().total + voiceos.server.stats().total;
    expect(totalUpstream).toBe(7);
  });

  it('pages through every provider with cursors, without duplicates or gaps', async () => {
    const { body: all } = await gw.query<PageData>(PAGE_QUERY, { first: 100, filter: { createdAfter: '2026-11-17T00:00:00Z' } });
    const expected = all.data!.conversations.edges.map((e) => e.node.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 30; page++) {
      const { body }: { body: { data?: PageData | null; errors?: unknown[] } } = await gw.query<PageData>(PAGE_QUERY, { first: 7, after, filter: { createdAfter: '2026-11-17T00:00:00Z' } });
      expect(body.errors).toBeUndefined();
      const connection: PageData['conversations'] = body.data!.conversations;
      seen.push(...connection.edges.map((e) => e.node.id));
      after = connection.pageInfo.endCursor;
      if (!connection.pageInfo.hasNextPage) break;
    }
    expect(expected.length).toBeGreaterThan(14); // several pages, fewer than the 100 fetched at once
    expect(expected.length).toBeLessThan(100);
    expect(seen).toEqual(expected);
  });

  it('counts a later page only when totalCount runs: @skip and @include as graphql-js applies them', async () => {
    const upstream = () => Object.values(sims()).reduce((total, sim) => total + sim.server.stats().total, 0);
    const first = await gw.query<PageData>(`{ conversations(first: 5) { pageInfo { endCursor } } }`);
    const after = first.body.data!.conversations.pageInfo.endCursor;
    const page = (selection: string) => `query P($after: String, $skip: Boolean!) { conversations(first: 5, after: $after) { ${selection} edges { node { id } } __typename @skip(if: $skip) } }`;
    const requestsFor = async (selection: string, skip: boolean) => {
      for (const sim of Object.values(sims())) sim.server.resetStats();
      const { body } = await gw.query(page(selection), { after, skip });
      expect(body.errors).toBeUndefined();
      return upstream();
    };
    const without = await requestsFor('', true);
    // Asked for, a later page's count costs one request per provider more.
    expect(await requestsFor('totalCount', true)).toBe(without + 3);
    expect(await requestsFor('totalCount @skip(if: $skip)', true)).toBe(without);
    expect(await requestsFor('totalCount @include(if: $skip)', false)).toBe(without);
    expect(await requestsFor('... @skip(if: $skip) { totalCount }', true)).toBe(without);
  });

  it('filters by provider and status, and resolves an agent\'s own conversations', async () => {
    const { body } = await gw.query<PageData>(PAGE_QUERY, { first: 20, filter: { providers: ['VOICEOS'], statuses: ['ENDED'] } });
    expect(body.errors).toBeUndefined();
    const nodes = body.data!.conversations.edges.map((e) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((n) => n.provider === 'VOICEOS' && n.status === 'ENDED')).toBe(true);

    const agentId = nodes[0]!.agent!.id;
    const { body: agentBody } = await gw.query<{ agent: { conversations: { edges: { node: { agent: { id: string } } }[] } } }>(
      `query($id: ID!) { agent(id: $id) { conversations(first: 5) { edges { node { agent { id } } } } } }`,
      { id: agentId },
    );
    expect(agentBody.errors).toBeUndefined();
    const agentConversations = agentBody.data!.agent.conversations.edges;
    expect(agentConversations.length).toBeGreaterThan(0);
    expect(agentConversations.every((e) => e.node.agent.id === agentId)).toBe(true);
  });

  it('fetches any node back by its global id', async () => {
    const { body } = await gw.query<PageData>(PAGE_QUERY, { first: 30 });
    const ids = body.data!.conversations.edges.map((e) => e.node.id);
    const { body: nodes } = await gw.query<{ nodes: ({ id: string } | null)[] }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Conversation { provider } } }`,
      { ids },
    );
    expect(nodes.errors).toBeUndefined();
    expect(nodes.data!.nodes.map((n) => n?.id)).toEqual(ids);
  });
});
