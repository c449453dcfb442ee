import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { IncomingHttpHeaders } from 'node:http';

export interface GatewayTracing {
  tracer: Tracer;
  /** Exports what is still buffered and stops; call once, at shutdown. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** The standard OTEL_* variables. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Where spans go, each exported as soon as it ends (tests pass an in-memory exporter). Without
   * one, tracing follows `env`: off unless an OTLP endpoint or `OTEL_TRACES_EXPORTER` is set.
   */
  exporter?: SpanExporter;
}

/**
 * Tracing, or null when it is off. Off unless the standard variables ask for it: an OTLP endpoint
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, sent as OTLP over HTTP)
 * or `OTEL_TRACES_EXPORTER` (`otlp` or `console`); `OTEL_SDK_DISABLED=true` or
 * `OTEL_TRACES_EXPORTER=none` turn it off whatever else is set. The exporter reads its own
 * variables (headers, timeout); `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` name the
 * service (default `switchboard`). Nothing is registered globally: the tracer is handed to the
 * code that makes spans, so two gateways in one process (tests) never share a provider.
 */
export async function createTracing(options: TracingOptions = {}): Promise<GatewayTracing | null> {
  const env = options.env ?? process.env;
  const exporterChoice = options.exporter ? 'given' : chooseExporter(env);
  if (exporterChoice === null) return null;
  // The SDK, the exporter and the resource detectors are loaded only when tracing is on: about 3
  // MiB of heap that a gateway without OTEL_* never uses (BENCHMARKS.md, idle memory).
  const [{ OTLPTraceExporter }, { defaultResource, detectResources, envDetector, resourceFromAttributes }, sdk] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace'),
  ]);
  const { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, TracerProvider } = sdk;
  const spanProcessor =
    exporterChoice === 'given'
      ? new SimpleSpanProcessor({ exporter: options.exporter! })
      : new BatchSpanProcessor({ exporter: exporterChoice === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter() });
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'switchboard' }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new TracerProvider({ resource, spanProcessors: [spanProcessor] });
  return { tracer: provider.getTracer('switchboard'), shutdown: () => provider.shutdown() };
}

function chooseExporter(env: Readonly<Record<string, string | undefined>>): 'otlp' | 'console' | null {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return null;
  const named = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (named === 'none') return null;
  if (named === 'console') return 'console';
  if (named === 'otlp') return 'otlp';
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : null;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The caller's trace from a W3C `traceparent` header, so the operation's span joins it; the root
 * context when there is none or it is malformed (all-zero ids are invalid by the standard).
 */
export function parentContextFrom(headers: IncomingHttpHeaders): Context {
  const match = typeof headers.traceparent === 'string' ? TRACEPARENT.exec(headers.traceparent.trim()) : null;
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return ROOT_CONTEXT;
  const traceFlags = parseInt(match[3]!, 16) & TraceFlags.SAMPLED;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: match[1]!, spanId: match[2]!, traceFlags, isRemote: true });
}

/** The span of one operation, named once its operation is known (`endOperationSpan`). */
export function startOperationSpan(tracer: Tracer, headers: IncomingHttpHeaders, requestId: string): Span {
  return tracer.startSpan(
    'POST /graphql',
    { kind: SpanKind.SERVER, attributes: { 'http.route': '/graphql', 'switchboard.request_id': requestId } },
    parentContextFrom(headers),
  );
}

/** A span per upstream request, child of the operation that caused it (a root span for the fan-out's own calls). */
export function startUpstreamSpan(tracer: Tracer, parent: Span | null, request: { provider: string; endpoint: string; method: string }): Span {
  return tracer.startSpan(
    `${request.provider} ${request.endpoint}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'switchboard.provider': request.provider,
        'switchboard.endpoint': request.endpoint,
        'http.request.method': request.method,
      },
    },
    parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT,
  );
}

/** Records how an upstream request ended; client spans are errors for 4xx, 5xx and no answer (OTel's HTTP conventions). */
export function endUpstreamSpan(span: Span, status: number | null, failure?: string): void {
  if (status !== null) span.setAttribute('http.response.status_code', status);
  if (status === null || status >= 400) {
    span.setAttribute('error.type', status === null ? (failure ?? 'network') : String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
