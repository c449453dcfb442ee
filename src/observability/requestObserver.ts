import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { HttpRefusal } from '../http/httpLimits.ts';
import { errorCodesAnswered } from '../http/nodeHttpHandler.ts';
import type { Logger } from '../logger.ts';
import { OPERATIONAL_PATHS } from './healthRoutes.ts';
import type { GatewayMetrics } from './metrics.ts';
import { REQUEST_ID_HEADER, requestIdFrom } from './requestId.ts';
import { workspaceAnswered } from './responseWorkspace.ts';
import type { OperationOutcome, RequestScope } from './requestScope.ts';
import { startOperationSpan } from './tracing.ts';

export interface RequestObserverOptions {
  /** Receives one access line per operation, at `info`. */
  logger?: Logger | null;
  metrics?: GatewayMetrics | null;
  tracer?: Tracer | null;
}

/** Serves one request with its scope; the observer does the rest when the answer is done. */
export type ObserveRequest = (req: IncomingMessage, res: ServerResponse, serve: (scope: RequestScope) => Promise<void>) => Promise<void>;

/**
 * Times each GraphQL request at the HTTP level, from its first byte to the end of its answer: so a
 * request refused before Apollo (no key, a body too large) is still counted and logged. It gives
 * the request its id (the caller's `x-request-id`, or a new one) and answers with it, runs the
 * request with a scope that the operation plugin and the request's upstream observer fill in, and when the
 * answer is sent (or the client went away) writes the access line, observes the operation's
 * latency and ends its span.
 */
export function createRequestObserver(options: RequestObserverOptions): ObserveRequest {
  const { logger, metrics, tracer } = options;
  return (req, res, serve) => {
    const requestId = requestIdFrom(req.headers);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const scope: RequestScope = {
      requestId,
      startedAt: performance.now(),
      span: tracer ? startOperationSpan(tracer, req.headers, requestId) : null,
      operationName: null,
      operationType: null,
      outcome: null,
      errorCodes: [],
      workspace: null,
      upstream: {},
    };
    res.once('close', () => finished(scope, res));
    return serve(scope);
  };

  function finished(scope: RequestScope, res: ServerResponse): void {
    const seconds = (performance.now() - scope.startedAt) / 1000;
    const completed = res.writableFinished;
    // No operation outcome: refused before Apollo (401, 413, 408), the landing page, or cut off.
    const outcome: OperationOutcome = !completed ? 'error' : (scope.outcome ?? (res.statusCode >= 400 ? 'error' : 'success'));
    const upstreamRequests = Object.values(scope.upstream).reduce((sum, n) => sum + n, 0);
    // Apollo's answers: the operation plugin's; a refusal before Apollo: what the gateway answered.
    const errorCodes = scope.errorCodes.length > 0 ? scope.errorCodes : errorCodesAnswered(res);
    metrics?.observeOperation(scope.operationName, outcome, seconds);
    const { span } = scope;
    if (span) {
      if (scope.operationName) span.updateName(`${scope.operationType ?? 'operation'} ${scope.operationName}`);
      span.setAttributes({
        'http.response.status_code': res.statusCode,
        'switchboard.outcome': outcome,
        'switchboard.upstream_requests': upstreamRequests,
        ...(scope.operationName && { 'graphql.operation.name': scope.operationName }),
        ...(scope.operationType && { 'graphql.operation.type': scope.operationType }),
        ...(scope.workspace && { 'switchboard.workspace': scope.workspace }),
      });
      if (outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR, message: errorCodes.join(',') || `HTTP ${res.statusCode}` });
      span.end();
    }
    logger?.info('graphql operation', {
      requestId: scope.requestId,
      operation: scope.operationName,
      operationType: scope.operationType,
      outcome,
      status: res.statusCode,
      durationMs: Math.round(seconds * 10_000) / 10,
      workspace: scope.workspace,
      upstreamRequests,
      upstream: scope.upstream,
      ...(errorCodes.length > 0 && { errorCodes }),
      ...(!completed && { aborted: true }),
      ...(span && { traceId: span.spanContext().traceId }),
    });
  }
}

/** Observes one request to a route beside GraphQL, under a fixed `route` label. */
export type ObserveRoute = (req: IncomingMessage, res: ServerResponse, route: string) => void;

/**
 * The access line of a request that is not a GraphQL operation (exports, webhooks, the explorer,
 * health, metrics, an unknown path): `"http request"` with the route's label, never the raw path
 * (a webhook path carries its endpoint token, an unknown one anything a client typed), the method,
 * status and duration, the workspace once the route knows it (an export's key, a webhook's
 * endpoint token), and the error codes the route answered with. Probes and scrapes are logged at
 * `debug`, the rest at `info`.
 */
export function createRouteObserver(options: { logger?: Logger | null }): ObserveRoute {
  const { logger } = options;
  return (req, res, route) => {
    const requestId = requestIdFrom(req.headers);
    if (!res.headersSent) res.setHeader(REQUEST_ID_HEADER, requestId);
    const startedAt = performance.now();
    res.once('close', () => {
      const workspace = workspaceAnswered(res);
      const errorCodes = errorCodesAnswered(res);
      const fields = {
        requestId,
        method: req.method ?? 'GET',
        route,
        status: res.statusCode,
        durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
        ...(workspace !== null && { workspace }),
        ...(errorCodes.length > 0 && { errorCodes }),
        ...(!res.writableFinished && { aborted: true }),
      };
      // Probes and scrapes poll: their lines go at `debug`, so `info` is not flooded.
      if (OPERATIONAL_PATHS.has(route)) logger?.debug('http request', fields);
      else logger?.info('http request', fields);
    });
  };
}

export type ObserveRefusal = (refusal: HttpRefusal) => void;

/**
 * The access line of a request refused before routing: `"http request"` like any other, with the
 * route `(refused before routing)`, the status and Node's reason, at `warn` (nothing of the request
 * was read: no method, path or request id).
 */
export function createRefusalObserver(options: { logger?: Logger | null }): ObserveRefusal {
  return ({ status, reason }) => options.logger?.warn('http request', { route: REFUSED_ROUTE, status, reason });
}

/** The route label of a request Node refused before any route saw it. */
export const REFUSED_ROUTE = '(refused before routing)';
