import { performance } from 'node:perf_hooks';
import type { Tracer } from '@opentelemetry/api';
import type { UpstreamObserver } from '../providers/http.ts';
import type { GatewayMetrics } from './metrics.ts';
import { currentRequestScope } from './requestScope.ts';
import { endUpstreamSpan, startUpstreamSpan } from './tracing.ts';

/**
 * The one observer the upstream clients are given: each request sent is timed into the metrics,
 * counted for the access line of the operation it works for (if any), and traced as a child of
 * that operation's span when tracing is on.
 */
export function createUpstreamObserver(options: { metrics?: GatewayMetrics | null; tracer?: Tracer | null }): UpstreamObserver {
  const { metrics, tracer } = options;
  return (request) => {
    const scope = currentRequestScope();
    if (scope) scope.upstream[request.provider] = (scope.upstream[request.provider] ?? 0) + 1;
    const span = tracer ? startUpstreamSpan(tracer, scope?.span ?? null, request) : null;
    const startedAt = performance.now();
    return (end) => {
      metrics?.observeUpstream(request.provider, request.endpoint, end, (performance.now() - startedAt) / 1000);
      if (span) endUpstreamSpan(span, end.status, end.status === null ? end.failure : undefined);
    };
  };
}
