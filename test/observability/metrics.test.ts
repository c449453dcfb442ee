import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { GatewayMetrics } from '../../src/observability/metrics.ts';
import { dropTestSchema, TEST_DATABASE_URL } from '../store/testDatabases.ts';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';
import { parsePrometheusText, seriesOf, valueOf, type Sample } from './prometheusText.ts';

const LIST = `query ListConversations {
  conversations(first: 50) { totalCount edges { node { id provider agent { id } prospect { id } } } }
}`;
type ListData = { conversations: { edges: { node: { provider: string; agent: { id: string } | null } }[] } };

describe('/metrics after a query', () => {
  let gw: TestGateway;
  const scrape = async (): Promise<{ status: number; contentType: string | null; samples: Sample[] }> => {
    const response = await fetch(gw.url.replace(/\/graphql$/, '/metrics'));
    return { status: response.status, contentType: response.headers.get('content-type'), samples: parsePrometheusText(await response.text()) };
  };

  beforeAll(async () => {
    // No retries: the one 429 below is one upstream answer, counted once.
    gw = await startTestGateway({ SWITCHBOARD_UPSTREAM_RETRIES: '0' });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('counts the operation by name and outcome, each upstream request by provider, endpoint and status, and the loader batches', async () => {
    const { body } = await gw.query<ListData>(LIST);
    expect(body.errors).toBeUndefined();
    const { status, contentType, samples } = await scrape();
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);

    expect(seriesOf(samples, 'switchboard_graphql_operation_duration_seconds_count')).toEqual({
      'operation=ListConversations,outcome=success': 1,
    });
    // The README's seven requests for a page of conversations, whatever its size.
    expect(seriesOf(samples, 'switchboard_upstream_request_duration_seconds_count')).toEqual({
      'endpoint=conversations.list,provider=ORATION,status=200': 1,
      'endpoint=conversations.list,provider=TRATA,status=200': 1,
      'endpoint=conversations.list,provider=VOICEOS,status=200': 1,
      'endpoint=agents.batchGet,provider=ORATION,status=200': 1,
      'endpoint=agents.get,provider=TRATA,status=200': 1,
      'endpoint=agents.list,provider=VOICEOS,status=200': 1,
      'endpoint=prospects.get,provider=TRATA,status=200': 1,
    });
    // One batch of every distinct saved agent the page names; VoiceOS's inline configurations
    // (`Agent:conversation:<id>`) come embedded in the conversation and are never loaded.
    const agents = new Set(
      body.data!.conversations.edges.flatMap((e) => (e.node.agent ? [Buffer.from(e.node.agent.id, 'base64url').toString()] : [])),
    );
    const loaded = [...agents].filter((id) => !id.includes(':Agent:conversation:'));
    expect(valueOf(samples, 'switchboard_dataloader_batch_size_count', { loader: 'agent' })).toBe(1);
    expect(valueOf(samples, 'switchboard_dataloader_batch_size_sum', { loader: 'agent' })).toBe(loaded.length);
    expect(seriesOf(samples, 'switchboard_circuit_breaker_state')).toEqual({ 'provider=ORATION': 0, 'provider=TRATA': 0, 'provider=VOICEOS': 0 });
    expect(seriesOf(samples, 'switchboard_upstream_rate_limited_total')).toEqual({});
  });

  it('counts a 429 per provider and endpoint, a partial outcome, and an open breaker', async () => {
    gw.demo.simulators.trata!.server.setFault('*', { kind: 'status', status: 429, times: 1 });
    const { body } = await gw.query<ListData>(LIST);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['PROVIDER_RATE_LIMITED']);
    const breaker = gw.transports.VOICEOS.resilience!.breaker;
    for (let i = 0; i < 5; i++) breaker.recordFailure();

    const { samples } = await scrape();
    expect(seriesOf(samples, 'switchboard_upstream_rate_limited_total')).toEqual({ 'endpoint=conversations.list,provider=TRATA': 1 });
    expect(valueOf(samples, 'switchboard_upstream_request_duration_seconds_count', { provider: 'TRATA', endpoint: 'conversations.list', status: '429' })).toBe(1);
    expect(seriesOf(samples, 'switchboard_graphql_operation_duration_seconds_count')).toEqual({
      'operation=ListConversations,outcome=success': 1,
      'operation=ListConversations,outcome=partial': 1,
    });
    expect(seriesOf(samples, 'switchboard_circuit_breaker_state')).toEqual({ 'provider=ORATION': 0, 'provider=TRATA': 0, 'provider=VOICEOS': 2 });
    breaker.recordSuccess();
  });

  it('shows each budget\'s limit and held slots and the batch items by state, from the store', async () => {
    const agents = await gw.query<{ agents: { nodes: { id: string }[] } }>('{ agents(first: 1, providers: [ORATION]) { nodes { id } } }');
    const agentId = agents.body.data!.agents.nodes[0]!.id;
    const created = await gw.query(
      'mutation($input: CreateConversationsInput!) { createConversations(input: $input) { id } }',
      { input: { waitSeconds: 20, conversations: [{ agentId, channel: 'CHAT' }, { agentId, channel: 'CHAT' }, { agentId, channel: 'CHAT' }] } },
    );
    expect(created.body.errors).toBeUndefined();
    const waited = await gw.query<{ createConversations: { status: string } }>(
      'mutation($input: CreateConversationsInput!) { createConversations(input: $input) { status } }',
      { input: { waitSeconds: 20, idempotencyKey: 'metrics-one', conversations: [{ agentId, channel: 'CHAT' }] } },
    );
    expect(waited.body.data?.createConversations.status).toBe('COMPLETED');
    // The first batch may still be running: its three items are somewhere between QUEUED and ENDED.
    const { samples } = await scrape();
    const items = seriesOf(samples, 'switchboard_fanout_batch_items');
    expect(Object.keys(items).sort()).toEqual(
      ['CANCELLED', 'CREATED', 'DISPATCHING', 'ENDED', 'FAILED', 'QUEUED', 'UNRESOLVED'].map((state) => `state=${state}`),
    );
    expect(Object.values(items).reduce((a, b) => a + b, 0)).toBe(4);
    expect(seriesOf(samples, 'switchboard_fanout_budget_limit')).toEqual({ 'budget=ORATION:demo-oration-workspace': 20 });
    expect(Object.keys(seriesOf(samples, 'switchboard_fanout_budget_slots_held'))).toEqual(['budget=ORATION:demo-oration-workspace']);
    // PGlite has no pool: no pool series rather than made-up numbers.
    expect(seriesOf(samples, 'switchboard_store_pool_connections')).toEqual({});
  });

  it('labels carry no ids: every label of the gateway\'s own metrics is from a bounded set', async () => {
    const { samples } = await scrape();
    const own = samples.filter((s) => s.name.startsWith('switchboard_'));
    const labelNames = new Set(own.flatMap((s) => Object.keys(s.labels)));
    expect([...labelNames].sort()).toEqual(['budget', 'endpoint', 'kind', 'le', 'limit', 'loader', 'operation', 'outcome', 'provider', 'state', 'status']);
    for (const s of own) {
      // Nor a workspace id (budget keys name a provider account, `ORATION:demo`, deliberately).
      for (const value of Object.values(s.labels)) expect(value).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-|^c2Ix|^(demo|acme)$/);
    }
  });
});

describe.runIf(TEST_DATABASE_URL)('/metrics on PostgreSQL', () => {
  it('shows the pool: connections in use and idle add up to those open, never past the maximum', async () => {
    const schema = `sb_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const gw = await startTestGateway({}, { store: { databaseUrl: TEST_DATABASE_URL, schema } });
    try {
      expect((await gw.query('{ batches(first: 5) { edges { node { id } } } }')).body.errors).toBeUndefined();
      const samples = parsePrometheusText(await (await fetch(gw.url.replace(/\/graphql$/, '/metrics'))).text());
      const pool = seriesOf(samples, 'switchboard_store_pool_connections');
      expect(Object.keys(pool).sort()).toEqual(['state=idle', 'state=in_use', 'state=max', 'state=waiting']);
      expect(pool['state=max']).toBe(10);
      expect(pool['state=idle']! + pool['state=in_use']!).toBeGreaterThan(0);
      expect(pool['state=idle']! + pool['state=in_use']!).toBeLessThanOrEqual(10);
    } finally {
      await gw.close();
      await dropTestSchema(schema);
    }
  });
});

describe('GatewayMetrics', () => {
  it('caps distinct operation names, so a client cannot grow the series without bound', () => {
    const metrics = new GatewayMetrics();
    for (let i = 0; i < 200; i++) expect(metrics.operationLabel(`Op${i}`)).toBe(`Op${i}`);
    expect(metrics.operationLabel('Op200')).toBe('other');
    expect(metrics.operationLabel('Op7')).toBe('Op7');
    expect(metrics.operationLabel('not a name!')).toBe('other');
    expect(metrics.operationLabel(null)).toBe('-');
  });

  it('reports the PostgreSQL pool by state', async () => {
    const metrics = new GatewayMetrics({ pool: () => ({ max: 10, open: 4, idle: 1, waiting: 2 }) });
    const samples = parsePrometheusText(await metrics.registry.metrics());
    expect(seriesOf(samples, 'switchboard_store_pool_connections')).toEqual({ 'state=idle': 1, 'state=in_use': 3, 'state=waiting': 2, 'state=max': 10 });
  });

  it('reads the pool before the scrape\'s own store reads, which are not clients waiting', async () => {
    // An idle replica showed waiting 2 beside idle 2 on every scrape: its own two reads, queued.
    let waiting = 0;
    const read = async <T>(value: T) => {
      waiting += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      waiting -= 1;
      return value;
    };
    const metrics = new GatewayMetrics({
      pool: () => ({ max: 10, open: 2, idle: 2, waiting }),
      budgets: () => read([]),
      itemsByState: () => read(null),
    });
    const samples = parsePrometheusText(await metrics.registry.metrics());
    expect(seriesOf(samples, 'switchboard_store_pool_connections')).toEqual({ 'state=idle': 2, 'state=in_use': 0, 'state=waiting': 0, 'state=max': 10 });
  });

  it('has no sample of the store process and change feed gauges where they do not apply, and 1 or 0 where they do', async () => {
    // A new-user trial: the embedded store showed switchboard_change_feed_listening 0, which the
    // documented alert (0 for over a minute) fires on forever; a label-less prom-client gauge reads
    // 0 after a reset, where it should have no sample.
    const gauges = async (sources: ConstructorParameters<typeof GatewayMetrics>[0]) => {
      const samples = parsePrometheusText(await new GatewayMetrics(sources).registry.metrics());
      return [seriesOf(samples, 'switchboard_store_process_running'), seriesOf(samples, 'switchboard_change_feed_listening')];
    };
    expect(await gauges({ storeProcessRunning: () => null, changeFeedListening: () => null })).toEqual([{}, {}]);
    expect(await gauges({})).toEqual([{}, {}]);
    expect(await gauges({ storeProcessRunning: () => false, changeFeedListening: () => false })).toEqual([{ '': 0 }, { '': 0 }]);
    expect(await gauges({ storeProcessRunning: () => true, changeFeedListening: () => true })).toEqual([{ '': 1 }, { '': 1 }]);
  });

  it('leaves the store gauges empty, not the page failed, when the store does not answer', async () => {
    const metrics = new GatewayMetrics({ budgets: () => Promise.reject(new Error('down')), itemsByState: () => Promise.reject(new Error('down')) });
    const samples = parsePrometheusText(await metrics.registry.metrics());
    expect(seriesOf(samples, 'switchboard_fanout_batch_items')).toEqual({});
    expect(seriesOf(samples, 'switchboard_fanout_budget_limit')).toEqual({});
  });

  it('answers the scrape without the store gauges when the store does not answer in time (a frozen store process)', async () => {
    const never = () => new Promise<never>(() => {});
    const metrics = new GatewayMetrics({ budgets: never, itemsByState: never, storeProcessRunning: () => true, storeReadTimeoutMs: 50 });
    const samples = parsePrometheusText(await metrics.registry.metrics());
    expect(seriesOf(samples, 'switchboard_fanout_batch_items')).toEqual({});
    expect(seriesOf(samples, 'switchboard_fanout_budget_slots_held')).toEqual({});
    expect(seriesOf(samples, 'switchboard_store_process_running')).toEqual({ '': 1 });
  });
});
