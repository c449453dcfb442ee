import type { IncomingMessage, Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginLandingPageLocalDefault,
} from '@apollo/server/plugin/landingPage/default';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { CONFLICTING_API_KEYS_MESSAGE, createContextFactory, readRequestApiKey, type GatewayContext } from './context.ts';
import type { FanoutService } from './fanout/fanoutService.ts';
import { ErrorCode, formatGatewayError } from './errors.ts';
import { applyCors, createCorsPolicy } from './http/cors.ts';
import { isLoopbackHost, loopbackUpgradeRefusal, NOT_A_LOOPBACK_HOST_MESSAGE } from './http/loopbackGuard.ts';
import { allowHeader, answeredOptions } from './http/optionsAnswer.ts';
import { errorBody } from './http/errorBody.ts';
import { answerRouteFailure } from './http/routeFailure.ts';
import { answeredBeforeRoutes, createLimitedHttpServer, DEFAULT_HTTP_LIMITS, type HttpLimits } from './http/httpLimits.ts';
import { createGraphQLHttpHandler, refuseAndClose } from './http/nodeHttpHandler.ts';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './limits/queryLimits.ts';
import { queryLimitGuards } from './limits/queryLimitGuards.ts';
import type { LoaderHooks } from './loaders.ts';
import { redact, type Logger } from './logger.ts';
import { createHealthRoutes, OPERATIONAL_PATHS } from './observability/healthRoutes.ts';
import type { GatewayObservability } from './observability/observability.ts';
import type { RequestScope } from './observability/requestScope.ts';
import { errorLoggingPlugin } from './plugins/errorLoggingPlugin.ts';
import { noStorePlugin } from './plugins/noStorePlugin.ts';
import { partialErrorsPlugin } from './plugins/partialErrorsPlugin.ts';
import { variableRefusalsPlugin } from './plugins/variableRefusalsPlugin.ts';
import { resolvers } from './resolvers/index.ts';
import { loadTypeDefs } from './schema.ts';
import { buildGatewaySubgraphSchema } from './federation/subgraphSchema.ts';
import { sharedExplorerAssets } from './explorer/explorerAssets.ts';
import { EXPLORER_PATH } from './explorer/explorerPage.ts';
import { explorerRoute, isExplorerPath } from './explorer/explorerRoute.ts';
import { asksForLandingPage, EXPLORERS_OFF_BODY, IntrospectionOffRule } from './explorer/introspectionOff.ts';
import { attachLiveRoutes } from './sync/liveRoutes.ts';
import { createExportRoutes } from './analytics/exports/exportRoute.ts';
import type { ExportLimits, ExportSlots } from './analytics/exports/exportSlots.ts';
import type { LiveServices } from './sync/liveServices.ts';
import type { WorkspaceRegistry } from './workspaces/workspaceRegistry.ts';
import type { WorkspaceRateLimit } from './limits/workspaceRateLimit.ts';

export interface GatewayOptions {
  registry: WorkspaceRegistry;
  /** The durable fan-out behind `createConversations` and the batch queries. */
  fanout: FanoutService;
  /** Introspection, the Sandbox landing page and the local GraphiQL at /graphiql. */
  introspection: boolean;
  /** Whether stack traces may appear in error extensions (never in production). */
  includeStacktrace: boolean;
  /** Largest accepted request body in bytes. @default 1_000_000 */
  maxBodyBytes?: number;
  /** Header, request and body timeouts and the connection cap. @default DEFAULT_HTTP_LIMITS */
  httpLimits?: Partial<HttpLimits>;
  /** Depth, alias, directive, token, selection and cost limits. @default DEFAULT_QUERY_LIMITS */
  limits?: QueryLimits;
  /** Where unexpected errors are logged (with stack, redacted); silent when absent. */
  logger?: Logger;
  /** Serve the schema as an Apollo Federation 2 subgraph (`_service`, `_entities`). @default false */
  federation?: boolean;
  /** Origins allowed to call from a browser (`SWITCHBOARD_CORS_ORIGINS`). @default none */
  corsOrigins?: readonly string[];
  /**
   * Demo mode on loopback: answer only requests (and WebSocket upgrades) addressed to a loopback
   * name, and upgrades only from pages the CORS policy allows (http/loopbackGuard.ts).
   */
  loopbackHostsOnly?: boolean;
  /**
   * How long `stop` waits for requests in flight, after `shutdownDelayMs`, before it cuts their
   * connections: the two together are the whole stop. @default 10_000
   */
  shutdownGraceMs?: number;
  /** Headers and a first query that the Sandbox landing page and GraphiQL start with (demo mode). */
  sandboxInitialState?: { headers: Record<string, string>; document: string };
  /** Access log, metrics, traces, /healthz, /readyz and /metrics (src/observability/); only /healthz (and /health) without it. */
  observability?: GatewayObservability;
  /**
   * How long `stop` keeps serving after `/readyz` turns 503, so load balancers see it and stop
   * sending new requests before the listener closes. @default 0
   */
  shutdownDelayMs?: number;
  /** The synced store: webhooks in (`/webhooks/...`), subscriptions over WebSocket, freshness in the graph. */
  live?: LiveServices;
  /**
   * Requests per workspace on this replica (`SWITCHBOARD_RATE_LIMIT_PER_MINUTE`): GraphQL operations
   * over HTTP, subscriptions started and exports each count one. @default none
   */
  rateLimit?: WorkspaceRateLimit;
  /** Exports at once (per replica, per workspace) and their stall timeout. @default resolveExportLimits() from the store's pool */
  exportLimits?: Partial<ExportLimits>;
}

export interface Gateway {
  httpServer: Server;
  apollo: ApolloServer<GatewayContext>;
  /** The exports running now and the limits on them; absent without the synced store. */
  exportSlots?: ExportSlots;
  /** Starts Apollo (not the socket: call `httpServer.listen`). */
  start(): Promise<void>;
  /** Turns `/readyz` to 503, waits `shutdownDelayMs`, stops accepting requests and drains the ones in flight. */
  stop(): Promise<void>;
}

/**
 * Builds the gateway: Apollo Server, its plugins and the HTTP routes, with no side effects until
 * `start`. `main.ts` wires the dependencies; tests build gateways on their own simulators.
 */
/** The embedded Sandbox, without Apollo's usage telemetry (on by default): the gateway's own page sends nothing to a third party. */
const SANDBOX_EMBED = { runTelemetry: false } as const;

export function createGateway(options: GatewayOptions): Gateway {
  const httpLimits = { ...DEFAULT_HTTP_LIMITS, ...options.httpLimits };
  const httpServer = createLimitedHttpServer(httpLimits, options.observability?.observeRefusal);
  const landingPage = !options.introspection
    ? ApolloServerPluginLandingPageDisabled()
    : options.sandboxInitialState
      ? ApolloServerPluginLandingPageLocalDefault({ embed: SANDBOX_EMBED, ...options.sandboxInitialState })
      : ApolloServerPluginLandingPageLocalDefault({ embed: SANDBOX_EMBED });

  const { observability } = options;
  const { plugins: limitPlugins, ...limitOptions } = queryLimitGuards<GatewayContext>(options.limits ?? DEFAULT_QUERY_LIMITS);
  const apollo = new ApolloServer<GatewayContext>({
    ...(options.federation ? { schema: buildGatewaySubgraphSchema(resolvers) } : { typeDefs: loadTypeDefs(), resolvers }),
    // Refused by our own rule where it is off (IntrospectionOffRule): Apollo's message names its own option, not ours.
    introspection: true,
    // Where introspection is off, "Did you mean …?" would read the schema out to anyone who guesses near it.
    hideSchemaDetailsFromClientErrors: !options.introspection,
    includeStacktraceInErrorResponses: options.includeStacktrace,
    csrfPrevention: true,
    // main.ts owns SIGTERM/SIGINT and stops everything in order; Apollo's own handlers (on outside
    // NODE_ENV=test) re-raise the signal into main's handler and the shutdown never finishes.
    stopOnTerminationSignals: false,
    ...limitOptions,
    validationRules: [...(limitOptions.validationRules ?? []), ...(options.introspection ? [] : [IntrospectionOffRule])],
    formatError: formatGatewayError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.shutdownGraceMs ?? 10_000 }),
      ...limitPlugins,
      partialErrorsPlugin,
      variableRefusalsPlugin({ hideSuggestions: !options.introspection }),
      ...(observability ? [observability.plugin] : []),
      ...(options.logger ? [errorLoggingPlugin(options.logger)] : []),
      landingPage,
      // Nothing in the schema gives cache hints or traces: no per-resolver wrapping for them.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      noStorePlugin,
    ],
  });

  // Queries over HTTP and subscriptions over WebSocket report their loader batches alike.
  const loaderHooks: LoaderHooks = observability ? { onLoaderBatch: observability.onLoaderBatch } : {};
  const contextFor = createContextFactory(options.registry, options.fanout, loaderHooks, options.live, options.rateLimit);
  const cors = createCorsPolicy(options.corsOrigins ?? []);
  /** A route's failure answered 500: its cause goes to the log, as a resolver's does (errorLoggingPlugin). */
  const reportRouteFailure = (error: unknown) =>
    options.logger?.error('unexpected error while answering a request', {
      reason: redact(error instanceof Error ? error.message : String(error)),
      ...(error instanceof Error && error.stack !== undefined && { stack: redact(error.stack) }),
    });
  const liveRoutes =
    options.live &&
    attachLiveRoutes(httpServer, {
      live: options.live,
      registry: options.registry,
      fanout: options.fanout,
      limits: options.limits ?? DEFAULT_QUERY_LIMITS,
      ...(options.rateLimit && { rateLimit: options.rateLimit }),
      bodyIdleTimeoutMs: httpLimits.bodyIdleTimeoutMs,
      loaderHooks,
      hideSuggestions: !options.introspection,
      onUnexpectedError: reportRouteFailure,
      ...(options.loopbackHostsOnly && { refusesUpgrade: (req: IncomingMessage) => loopbackUpgradeRefusal(req, cors) }),
    });
  const { logger } = options;
  const exportMetrics = observability?.exportHooks;
  const exportRoutes =
    options.live &&
    createExportRoutes({
      database: options.live.database,
      registry: options.registry,
      ...(options.rateLimit && { rateLimit: options.rateLimit }),
      ...(options.exportLimits && { limits: options.exportLimits }),
      onExportStart: (start) => exportMetrics?.onExportStart(start),
      onExportEnd: (end) => {
        exportMetrics?.onExportEnd(end);
        // A stalled client is worth a warning: its export held a slot (and on PostgreSQL a connection) until the timeout.
        if (end.outcome === 'stalled') logger?.warn('export', { ...end });
        else logger?.info('export', { ...end });
      },
      onExportRefused: (refused) => {
        exportMetrics?.onExportRefused(refused);
        logger?.warn('export refused: too many exports at once', { ...refused });
      },
      onUnexpectedError: reportRouteFailure,
    });
  const graphql = createGraphQLHttpHandler({
    server: apollo,
    maxBodyBytes: options.maxBodyBytes ?? 1_000_000,
    bodyIdleTimeoutMs: httpLimits.bodyIdleTimeoutMs,
    maxTokens: (options.limits ?? DEFAULT_QUERY_LIMITS).maxTokens,
  });

  // Sandbox loads from Apollo's CDN; GraphiQL is bundled from node_modules and works offline.
  const explorer = options.introspection
    ? explorerRoute({
        assets: sharedExplorerAssets,
        ...(options.sandboxInitialState && { initialState: options.sandboxInitialState }),
        onError: (error) => options.logger?.error('explorer: the GraphiQL bundle could not be built', { error: String(error) }),
      })
    : null;

  // /healthz and /health are answered by the health routes alone; without observability they
  // have no readiness or metrics to serve, so /readyz and /metrics are not found.
  const operationalRoutes = observability?.routes ?? createHealthRoutes({});
  // Every route beside GraphQL writes its own access line, labelled with the route (never the raw
  // path: a webhook's carries its token); GraphQL's comes from observeRequest.
  const routeLabel = (path: string): string | null => {
    if (OPERATIONAL_PATHS.has(path)) return path;
    if (explorer && isExplorerPath(path)) return path === EXPLORER_PATH ? EXPLORER_PATH : `${EXPLORER_PATH}/*`;
    if (liveRoutes && path.startsWith('/webhooks/')) return '/webhooks/:provider/:token';
    if (exportRoutes && path.startsWith('/exports/')) return '/exports/*';
    if (path === '/graphql' || path === '/') return null;
    return '(unknown path)';
  };
  httpServer.on('request', (req, res) => {
    if (answeredBeforeRoutes(res)) return;
    if (options.loopbackHostsOnly && !isLoopbackHost(req.headers.host)) {
      refuseAndClose(req, res, 403, errorBody(ErrorCode.FORBIDDEN, NOT_A_LOOPBACK_HOST_MESSAGE));
      return;
    }
    if (applyCors(cors, req, res)) return;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // `OPTIONS *` asks about the server as a whole (RFC 9110 9.3.7): every method some route serves.
    if (req.url === '*' && answeredOptions(req, res, ['GET', 'HEAD', 'POST'])) return;
    const route = routeLabel(path);
    if (route !== null) observability?.observeRoute(req, res, route);
    if (operationalRoutes(req, path, res)) return;
    if (explorer && isExplorerPath(path)) {
      explorer(req, res, path).catch(() => res.destroy());
      return;
    }
    if (liveRoutes?.handle(req, res)) return;
    if (isApiKeyPath(path)) {
      // Read once: the exports and GraphQL's context take this reading, refused here if conflicting.
      const apiKey = readRequestApiKey(req);
      const refuseConflictingKeys = () => refuseAndClose(req, res, 400, errorBody(ErrorCode.BAD_REQUEST, CONFLICTING_API_KEYS_MESSAGE));
      const isGraphQL = path === '/graphql' || path === '/';
      if (apiKey.kind === 'conflicting' && !isGraphQL) return refuseConflictingKeys();
      if (exportRoutes?.handle(req, res, apiKey)) return;
      if (isGraphQL) {
        // The answer depends on Accept: the landing page (or its 404) for a browser, else GraphQL,
        // as application/graphql-response+json or application/json; a cache must key on it.
        res.appendHeader('vary', 'Accept');
        if (!options.introspection && asksForLandingPage(req.method, (req.url ?? '').slice(path.length), req.headers.accept)) {
          refuseAndClose(req, res, 404, EXPLORERS_OFF_BODY);
          return;
        }
        // A GraphQL request refused for its keys is still an operation of the access log and the metrics.
        const serve = async (scope?: RequestScope) => {
          if (answeredOptions(req, res, GRAPHQL_METHODS)) return;
          if (!GRAPHQL_METHODS.includes((req.method ?? '').toUpperCase())) {
            res.setHeader('allow', allowHeader(GRAPHQL_METHODS));
            return refuseAndClose(req, res, 405, errorBody(ErrorCode.METHOD_NOT_ALLOWED, `${req.method} is not allowed on ${path}; GraphQL is served with GET (and HEAD, answered as GET) and POST`));
          }
          if (apiKey.kind === 'conflicting') return refuseConflictingKeys();
          return graphql(req, res, () => contextFor(apiKey, scope && observability && { scope, upstream: observability.upstreamObserverFor(scope) })).catch((error: unknown) =>
            answerRouteFailure(res, error, errorBody, reportRouteFailure),
          );
        };
        void (observability ? observability.observeRequest(req, res, serve) : serve());
        return;
      }
    }
    if (!explorer && isExplorerPath(path)) {
      refuseAndClose(req, res, 404, EXPLORERS_OFF_BODY);
      return;
    }
    refuseAndClose(req, res, 404, errorBody(ErrorCode.NOT_FOUND, `Not found: ${path}. The API is at /graphql.`));
  });

  return {
    httpServer,
    apollo,
    ...(exportRoutes && { exportSlots: exportRoutes.slots }),
    start: () => apollo.start(),
    stop: async () => {
      observability?.readiness.markShuttingDown();
      // Only a listening server has load balancers to tell; a failed bind stops at once.
      if (options.shutdownDelayMs && httpServer.listening) await new Promise((resolve) => setTimeout(resolve, options.shutdownDelayMs));
      await liveRoutes?.close();
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

/** What /graphql serves: HEAD is GET without the body (RFC 9110, 9.3.2). */
const GRAPHQL_METHODS: readonly string[] = ['GET', 'HEAD', 'POST'];

/** The routes an API key opens: GraphQL and the exports (webhooks carry a token in the path instead). */
function isApiKeyPath(path: string): boolean {
  return path === '/graphql' || path === '/' || path.startsWith('/exports/');
}
