import { performance } from 'node:perf_hooks';
import type { Tracer } from '@opentelemetry/api';
import type { UpstreamObserver } from '../providers/http.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { RequestScope } from './requestScope.ts';
import { endUpstreamSpan, startUpstreamSpan } from './tracing.ts';

/** The upstream observer for work done on behalf of one request, or of none (the fan-out's and sync's own loops). */
export type UpstreamObserverFor = (scope: RequestScope | null) => UpstreamObserver;

/**
 * The observers the upstream clients are given: each request sent is timed into the metrics,
 * counted for the access line of the operation it works for (if any), and traced as a child of
 * that operation's span when tracing is on.
 */
export function createUpstreamObserver(options: { metrics?: GatewayMetrics | null; tracer?: Tracer | null }): UpstreamObserverFor {
  const { metrics, tracer } = options;
  return (scope) => (request) => {
    if (scope) scope.upstream[request.provider] = (scope.upstream[request.provider] ?? 0) + 1;
    const span = tracer ? startUpstreamSpan(tracer, scope?.span ?? null, request) : null;
    const startedAt = performance.now();
    return (end) => {
      metrics?.observeUpstream(request.provider, request.endpoint, end, (performance.now() - startedAt) / 1000);
      if (span) endUpstreamSpan(span, end.status, end.status === null ? end.failure : undefined);
    };
  };
}
