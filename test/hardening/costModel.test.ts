import { buildSchema, Kind, parse, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startGatewayRuntime, type GatewayRuntime } from '../../src/gatewayRuntime.ts';
import { estimateQueryCost } from '../../src/limits/estimateQueryCost.ts';
import { MAX_FILTERED_PAGES } from '../../src/limits/upstreamListRequests.ts';
import { createLogger } from '../../src/logger.ts';
import { loadTypeDefs } from '../../src/schema.ts';
import { DEMO_ACCOUNTS } from '../../src/simulators/demoAccounts.ts';
import { createOrationSimulator } from '../../src/simulators/oration/orationSimulator.ts';
import type { ProviderSimulator } from '../../src/simulators/shared/simulatorServer.ts';
import { createTrataSimulator } from '../../src/simulators/trata/trataSimulator.ts';
import { createVoiceOsSimulator } from '../../src/simulators/voiceos/voiceOsSimulator.ts';
import type { WorkspaceConfig } from '../../src/workspaces/workspaceConfig.ts';

/**
 * Finding 4 of issue 7 (its cost part): the cost estimate undercounted the upstream requests a
 * query really makes. Every query of this corpus runs against the real simulators, seeded with
 * enough conversations (2,500 per provider) that filtered lists reach the connectors' page bound,
 * and the estimate must be at least the upstream requests the simulators counted.
 */
const CONVERSATIONS_PER_PROVIDER = 2_500;

interface Entry {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
}

const CONVERSATION_FIELDS = /* GraphQL */ `
  fragment Full on Conversation {
    id provider status channel createdAt
    agent { id name }
    agentSnapshot { id }
    prospect { id name email }
    transcript { text messages { speaker text } }
    cost { totalUsd components { kind amountUsd } }
    recording { url }
  }
`;

describe('the cost estimate bounds the upstream requests a query makes', () => {
  let runtime: GatewayRuntime;
  let url: string;
  let simulators: ProviderSimulator[];
  const schema = buildSchema(loadTypeDefs().join('\n'));

  async function post<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-key' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: T; errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[] };
  }

  async function data<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const body = await post<T>(query, variables);
    if (body.errors || !body.data) throw new Error(`setup query failed: ${JSON.stringify(body.errors)}`);
    return body.data;
  }

  beforeAll(async () => {
    const oration = createOrationSimulator({
      historicConversations: CONVERSATIONS_PER_PROVIDER,
      lifecycle: {
        queueMs: { kind: 'fixed', ms: 20 },
        dialMs: { kind: 'fixed', ms: 20 },
        talkMs: { kind: 'fixed', ms: 50 },
        unansweredRate: 0,
        failRate: 0,
      },
    });
    const trata = createTrataSimulator({ conversationsPerAccount: CONVERSATIONS_PER_PROVIDER });
    const voiceos = createVoiceOsSimulator({ conversationsPerAccount: CONVERSATIONS_PER_PROVIDER });
    simulators = [oration, trata, voiceos];
    const [orationUrl, trataUrl, voiceosUrl] = await Promise.all(simulators.map((simulator) => simulator.listen(0)));
    const [orationAccount] = DEMO_ACCOUNTS.oration;
    const workspace: WorkspaceConfig = {
      id: 'demo',
      name: 'Cost model',
      apiKeys: ['demo-key'],
      providers: {
        oration: { baseUrl: `${orationUrl}/api/v2`, apiKey: orationAccount.apiKey, workspaceId: orationAccount.workspaceId, concurrencyLimit: 20 },
        trata: { baseUrl: trataUrl!, token: DEMO_ACCOUNTS.trata[0].token },
        voiceos: { baseUrl: voiceosUrl!, token: DEMO_ACCOUNTS.voiceos[0].token },
      },
    };
    const { env } = loadConfig({
      NODE_ENV: 'test',
      // The corpus measures; it does not test the limits.
      SWITCHBOARD_MAX_COST: '10000000',
      SWITCHBOARD_MAX_ALIASES: '1000',
      SWITCHBOARD_UPSTREAM_MAX_QUEUED: '100000',
    });
    runtime = await startGatewayRuntime({
      env,
      workspaces: [workspace],
      logger: createLogger('silent'),
      store: { dataDir: 'memory://' },
      replicaId: 'cost-model-test',
      fanoutTiming: { pollIntervalMs: 50, discoveryIntervalMs: 100 },
      gateway: { introspection: false, includeStacktrace: false },
    });
    await new Promise<void>((resolve) => runtime.gateway.httpServer.listen(0, '127.0.0.1', resolve));
    const address = runtime.gateway.httpServer.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`;
  }, 120_000);

  afterAll(async () => {
    await runtime?.close();
    await Promise.all(simulators.map((simulator) => simulator.close()));
  });

  /** Ids and cursors the corpus needs, read before any measurement. */
  async function fixtures() {
    type Page = { conversations: { pageInfo: { endCursor: string }; nodes: { id: string; provider: string; agent: { id: string } | null; prospect: { id: string } | null }[] } };
    const byProvider = async (provider: string) =>
      (await data<Page>(`query($p: Provider!) { conversations(first: 100, filter: { providers: [$p] }) { pageInfo { endCursor } nodes { id provider agent { id } prospect { id } } } }`, { p: provider })).conversations;
    const [oration, trata, voiceos] = await Promise.all(['ORATION', 'TRATA', 'VOICEOS'].map(byProvider));
    // A cursor resumes only the list (and filter) it came from: every provider's, for the corpus's unfiltered list.
    const everyProviderCursor = (await data<{ conversations: { pageInfo: { endCursor: string } } }>('{ conversations(first: 100) { pageInfo { endCursor } } }')).conversations.pageInfo.endCursor;
    const agents = (await data<{ agents: { nodes: { id: string; provider: string }[] } }>('{ agents(first: 100) { nodes { id provider } } }')).agents.nodes;
    const prospects = (await data<{ prospects: { nodes: { id: string }[] } }>('{ prospects(first: 100) { nodes { id } } }')).prospects.nodes;
    const orationAgent = agents.find((agent) => agent.provider === 'ORATION')!;
    const input = {
      conversations: Array.from({ length: 5 }, () => ({ agentId: orationAgent.id, channel: 'CHAT' })),
      waitSeconds: 30,
    };
    const batch = (await data<{ createConversations: { id: string; status: string } }>(
      'mutation($input: CreateConversationsInput!) { createConversations(input: $input) { id status } }',
      { input },
    )).createConversations;
    expect(batch.status).toBe('COMPLETED');
    const inlineVoiceOsAgent = voiceos!.nodes.map((node) => node.agent?.id).find((id) => id && Buffer.from(id, 'base64url').toString().includes(':conversation:'));
    return {
      oration: oration!,
      trata: trata!,
      voiceos: voiceos!,
      everyProviderCursor,
      agents,
      prospects,
      batchId: batch.id,
      inlineVoiceOsAgent: inlineVoiceOsAgent ?? null,
      agentOf: (provider: string) => agents.find((agent) => agent.provider === provider)!.id,
    };
  }

  function corpus(f: Awaited<ReturnType<typeof fixtures>>): Entry[] {
    const page = (args: string, fields = 'id') => `{ conversations(${args}) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${fields} } } } }`;
    const oneOfEach = [f.oration.nodes[0]!.id, f.trata.nodes[0]!.id, f.voiceos.nodes[0]!.id];
    return [
      { name: 'conversations, default page', query: '{ conversations { nodes { id } } }' },
      { name: 'conversations(first: 1)', query: page('first: 1') },
      { name: 'conversations(first: 99)', query: page('first: 99') },
      { name: 'conversations(first: 100), everything nested', query: `{ conversations(first: 100) { totalCount nodes { ...Full } } } ${CONVERSATION_FIELDS}` },
      { name: 'conversations after a cursor', query: `query($after: String) { conversations(first: 100, after: $after) { totalCount nodes { id agent { id } } } }`, variables: { after: f.everyProviderCursor } },
      { name: 'one status, rare', query: page('first: 100, filter: { statuses: [FAILED] }') },
      { name: 'one status, common', query: page('first: 50, filter: { statuses: [ENDED] }', 'id status agent { id }') },
      { name: 'several statuses', query: page('first: 5, filter: { statuses: [QUEUED, DIALING, UNKNOWN] }') },
      { name: 'channel only VoiceOS filters locally', query: page('first: 10, filter: { channels: [WEB] }') },
      { name: 'channels, several', query: page('first: 20, filter: { channels: [PHONE_INBOUND, CHAT] }') },
      { name: 'VoiceOS agent filter', query: `query($a: [ID!]) { conversations(first: 10, filter: { agentIds: $a }) { totalCount nodes { id } } }`, variables: { a: [f.agentOf('VOICEOS')] } },
      { name: 'agents of every provider', query: `query($a: [ID!]) { conversations(first: 30, filter: { agentIds: $a }) { totalCount nodes { id agent { id } } } }`, variables: { a: [f.agentOf('ORATION'), f.agentOf('TRATA'), f.agentOf('VOICEOS')] } },
      { name: 'two prospects', query: `query($p: [ID!]) { conversations(first: 20, filter: { prospectIds: $p }) { totalCount nodes { id prospect { id } } } }`, variables: { p: f.prospects.slice(0, 2).map((p) => p.id) } },
      { name: 'one provider, time window', query: page('first: 100, filter: { providers: [VOICEOS], createdAfter: "2026-06-01T00:00:00Z", createdBefore: "2026-11-01T00:00:00Z" }', 'id cost { totalUsd }') },
      { name: 'filter from a variable', query: `query($f: ConversationFilter) { conversations(first: 40, filter: $f) { totalCount nodes { id } } }`, variables: { f: { statuses: ['FAILED'], providers: ['TRATA', 'VOICEOS'] } } },
      { name: 'agents', query: '{ agents(first: 100) { totalCount nodes { id name provider } } }' },
      { name: 'agents of one provider after a cursor', query: '{ agents(first: 3, providers: [VOICEOS]) { totalCount pageInfo { endCursor } nodes { id } } }' },
      { name: 'agents with their conversations', query: '{ agents(first: 20) { nodes { id conversations(first: 5) { totalCount nodes { id agent { id } } } } } }' },
      { name: 'prospects', query: '{ prospects(first: 100) { totalCount nodes { id name } } }' },
      { name: 'prospects with their conversations', query: '{ prospects(first: 30) { nodes { id conversations(first: 3) { totalCount nodes { id transcript { text } } } } } }' },
      ...oneOfEach.map((id, index) => ({
        name: `node: conversation of ${['ORATION', 'TRATA', 'VOICEOS'][index]}`,
        query: `query($id: ID!) { node(id: $id) { ...Full } } ${CONVERSATION_FIELDS}`,
        variables: { id },
      })),
      ...['ORATION', 'TRATA', 'VOICEOS'].map((provider) => ({
        name: `agent(id) of ${provider} with its conversations`,
        query: `query($id: ID!) { agent(id: $id) { id name conversations(first: 50) { totalCount nodes { id } } } }`,
        variables: { id: f.agentOf(provider) },
      })),
      ...(f.inlineVoiceOsAgent ? [{ name: 'node: inline VoiceOS agent', query: `query($id: ID!) { node(id: $id) { id ... on Agent { name } } }`, variables: { id: f.inlineVoiceOsAgent } }] : []),
      { name: 'prospect(id) with its conversations', query: `query($id: ID!) { prospect(id: $id) { id conversations(first: 10) { totalCount nodes { id } } } }`, variables: { id: f.prospects[0]!.id } },
      { name: 'conversation(id) of each provider', query: `query($a: ID!, $b: ID!, $c: ID!) { a: conversation(id: $a) { ...Full } b: conversation(id: $b) { ...Full } c: conversation(id: $c) { ...Full } } ${CONVERSATION_FIELDS}`, variables: { a: oneOfEach[0], b: oneOfEach[1], c: oneOfEach[2] } },
      { name: 'nodes: 100 VoiceOS conversations', query: `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Conversation { agent { id } cost { totalUsd } } } }`, variables: { ids: f.voiceos.nodes.map((n) => n.id) } },
      { name: 'nodes: 100 Trata conversations', query: `query($ids: [ID!]!) { nodes(ids: $ids) { ...Full } } ${CONVERSATION_FIELDS}`, variables: { ids: f.trata.nodes.map((n) => n.id) } },
      { name: 'nodes: every agent and prospect', query: `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Agent { name } ... on Prospect { email } } }`, variables: { ids: [...f.agents.map((a) => a.id), ...f.prospects.map((p) => p.id)].slice(0, 100) } },
      { name: 'nodes: every type at once', query: `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on ConversationBatch { status } ... on Conversation { agent { id } prospect { id } } } }`, variables: { ids: [...oneOfEach, f.agentOf('VOICEOS'), f.prospects[0]!.id, f.batchId] } },
      { name: 'batch with its items and their conversations', query: `query($id: ID!) { batch(id: $id) { status items(first: 50) { nodes { state conversation { id status agent { id } } } } } }`, variables: { id: f.batchId } },
      { name: 'batches, items, conversations', query: '{ batches(first: 10) { nodes { id counts { total } items { nodes { conversation { ...Full } } } } } } ' + CONVERSATION_FIELDS },
      {
        name: 'aliases: the same list under several names (finding 4)',
        query: `{ ${['FAILED', 'QUEUED', 'DIALING', 'IN_PROGRESS', 'UNKNOWN'].map((status, i) => `l${i}: conversations(first: 100, filter: { statuses: [${status}] }) { totalCount nodes { id agent { id } } }`).join(' ')} }`,
      },
      {
        name: 'fragments spread several times',
        query: `{ a: conversations(first: 30) { ...Page } b: conversations(first: 30, filter: { channels: [CHAT] }) { ...Page } }
          fragment Page on ConversationConnection { totalCount nodes { ...Full } }
          ${CONVERSATION_FIELDS}`,
      },
    ];
  }

  it('for every query of the corpus', async () => {
    const f = await fixtures();
    await new Promise((resolve) => setTimeout(resolve, 300)); // the batch's last status polls settle
    const rows: { name: string; estimate: number; upstream: number }[] = [];
    for (const entry of corpus(f)) {
      for (const simulator of simulators) simulator.server.resetStats();
      const body = await post(entry.query, entry.variables);
      expect(body.errors, entry.name).toBeUndefined();
      const upstream = simulators.reduce((sum, simulator) => sum + simulator.server.stats().total, 0);
      const document = parse(entry.query);
      const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
      const estimate = estimateQueryCost({ schema, document, operation, variables: entry.variables });
      rows.push({ name: entry.name, estimate, upstream });
    }
    if (process.env.COST_MODEL_REPORT) console.table(rows);
    expect(rows.filter((row) => row.estimate < row.upstream)).toEqual([]);
    // The corpus reaches the bound it checks: three providers each read and count the most pages.
    expect(rows.find((row) => row.name === 'several statuses')?.upstream).toBe(3 * 2 * MAX_FILTERED_PAGES);
  }, 300_000);
});
