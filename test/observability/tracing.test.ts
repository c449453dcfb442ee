import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createTracing, parentContextFrom } from '../../src/observability/tracing.ts';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';
import { trace } from '@opentelemetry/api';

const LIST = 'query ListConversations { conversations(first: 50) { totalCount edges { node { id agent { name } prospect { name } } } } }';

describe('traces', () => {
  let gw: TestGateway;
  const exporter = new InMemorySpanExporter();

  beforeAll(async () => {
    gw = await startTestGateway({ SWITCHBOARD_UPSTREAM_RETRIES: '0' }, { tracing: (await createTracing({ exporter }))! });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('export a span per operation and a child span per upstream request, with provider and endpoint', async () => {
    exporter.reset();
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-key', traceparent },
      body: JSON.stringify({ query: LIST }),
    });
    expect(response.status).toBe(200);
    const spans = await waitForSpans(exporter, 8);

    const operation = spans.filter((span) => span.kind === SpanKind.SERVER);
    expect(operation.map((span) => span.name)).toEqual(['query ListConversations']);
    const root = operation[0]!;
    // Joined to the caller's trace.
    expect(root.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(root.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(root.attributes).toMatchObject({
      'graphql.operation.name': 'ListConversations',
      'graphql.operation.type': 'query',
      'switchboard.workspace': 'demo',
      'switchboard.outcome': 'success',
      'switchboard.upstream_requests': 7,
      'http.response.status_code': 200,
      'switchboard.request_id': response.headers.get('x-request-id'),
    });

    const upstream = spans.filter((span) => span.kind === SpanKind.CLIENT);
    expect(upstream.map((span) => span.name).sort()).toEqual([
      'ORATION agents.batchGet',
      'ORATION conversations.list',
      'TRATA agents.get',
      'TRATA conversations.list',
      'TRATA prospects.get',
      'VOICEOS agents.list',
      'VOICEOS conversations.list',
    ]);
    for (const span of upstream) {
      expect(span.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      expect(span.spanContext().traceId).toBe(root.spanContext().traceId);
      const [provider, endpoint] = span.name.split(' ');
      expect(span.attributes).toEqual({
        'switchboard.provider': provider,
        'switchboard.endpoint': endpoint,
        'http.request.method': 'GET',
        'http.response.status_code': 200,
      });
    }
  });

  it('mark a failed upstream request as an error, and a refused operation too', async () => {
    exporter.reset();
    gw.demo.simulators.trata!.server.setFault('*', { kind: 'status', status: 503, times: 1 });
    const { body } = await gw.query('query Partial { conversations(first: 5) { totalCount } }');
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['PROVIDER_UNAVAILABLE']);
    const spans = await waitForSpans(exporter, 4);
    expect(spans.filter((span) => span.kind === SpanKind.CLIENT).map((span) => [span.name, span.attributes['http.response.status_code'], span.attributes['error.type'] ?? null, span.status.code]).sort()).toEqual([
      ['ORATION conversations.list', 200, null, SpanStatusCode.UNSET],
      ['TRATA conversations.list', 503, '503', SpanStatusCode.ERROR],
      ['VOICEOS conversations.list', 200, null, SpanStatusCode.UNSET],
    ]);
    const partial = spans.find((span) => span.kind === SpanKind.SERVER)!;
    expect([partial.name, partial.attributes['switchboard.outcome'], partial.status.code]).toEqual(['query Partial', 'partial', SpanStatusCode.UNSET]);

    exporter.reset();
    expect((await gw.query('{ conversations(first: 1) { totalCount } }', undefined, 'not-a-key')).status).toBe(401);
    const [refused] = await waitForSpans(exporter, 1);
    expect([refused!.name, refused!.attributes['switchboard.outcome'], refused!.attributes['http.response.status_code'], refused!.status]).toEqual([
      'POST /graphql',
      'error',
      401,
      { code: SpanStatusCode.ERROR, message: 'UNAUTHENTICATED' },
    ]);
  });
});

describe('traces of the fan-out', () => {
  it('are its own: a worker first woken by a mutation does not send its requests as part of that operation', async () => {
    const exporter = new InMemorySpanExporter();
    const gw = await startTestGateway({}, { tracing: (await createTracing({ exporter }))! });
    try {
      const agents = await gw.query<{ agents: { nodes: { id: string }[] } }>('{ agents(first: 1, providers: [ORATION]) { nodes { id } } }');
      const agentId = agents.body.data!.agents.nodes[0]!.id;
      exporter.reset();
      const { body } = await gw.query<{ createConversations: { status: string } }>(
        'mutation Launch($input: CreateConversationsInput!) { createConversations(input: $input) { status } }',
        { input: { waitSeconds: 20, conversations: [{ agentId, channel: 'CHAT' }] } },
      );
      expect(body.data?.createConversations.status).toBe('COMPLETED');
      const spans = await waitForSpans(exporter, 1);
      const mutation = spans.find((span) => span.name === 'mutation Launch')!;
      const creates = spans.filter((span) => span.name === 'ORATION conversations.create');
      expect(creates).toHaveLength(1);
      expect(creates[0]!.parentSpanContext).toBeUndefined();
      expect(creates[0]!.spanContext().traceId).not.toBe(mutation.spanContext().traceId);
      // The agent check before anything is stored is the mutation's own request.
      const check = spans.filter((span) => span.name === 'ORATION agents.batchGet');
      expect(check.map((span) => span.parentSpanContext?.spanId)).toEqual([mutation.spanContext().spanId]);
    } finally {
      await gw.close();
    }
  });
});

describe('tracing configuration', () => {
  it('is off unless the standard OTEL_* variables ask for it', async () => {
    expect(await createTracing({ env: {} })).toBeNull();
    expect(await createTracing({ env: { OTEL_SERVICE_NAME: 'gw' } })).toBeNull();
    expect(await createTracing({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' } })).toBeNull();
    expect(await createTracing({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' } })).toBeNull();
    for (const env of [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }]) {
      const tracing = await createTracing({ env });
      expect(tracing).not.toBeNull();
      await tracing!.shutdown();
    }
  });

  it('joins a caller\'s W3C trace only from a well-formed traceparent', () => {
    const spanContextOf = (traceparent: string) => trace.getSpanContext(parentContextFrom({ traceparent }));
    expect(spanContextOf('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    });
    expect(spanContextOf('00-00000000000000000000000000000000-b7ad6b7169203331-01')).toBeUndefined();
    expect(spanContextOf('garbage')).toBeUndefined();
  });
});

/** Spans end when the answer is sent, a moment after the client has it. */
async function waitForSpans(exporter: InMemorySpanExporter, count: number): Promise<ReadableSpan[]> {
  for (let i = 0; i < 100 && exporter.getFinishedSpans().length < count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return exporter.getFinishedSpans();
}
