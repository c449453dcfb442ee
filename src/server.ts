import type { Server } from 'node:http';
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
import { createContextFactory, type GatewayContext } from './context.ts';
import type { FanoutService } from './fanout/fanoutService.ts';
import { formatGatewayError } from './errors.ts';
import { createLimitedHttpServer, DEFAULT_HTTP_LIMITS, type HttpLimits } from './http/httpLimits.ts';
import { createGraphQLHttpHandler, sendJson } from './http/nodeHttpHandler.ts';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './limits/queryLimits.ts';
import { queryLimitGuards } from './limits/queryLimitGuards.ts';
import type { Logger } from './logger.ts';
import { errorLoggingPlugin } from './plugins/errorLoggingPlugin.ts';
import { noStorePlugin } from './plugins/noStorePlugin.ts';
import { partialErrorsPlugin } from './plugins/partialErrorsPlugin.ts';
import { resolvers } from './resolvers/index.ts';
import { loadTypeDefs } from './schema.ts';
import type { WorkspaceRegistry } from './workspaces/workspaceRegistry.ts';

export interface GatewayOptions {
  registry: WorkspaceRegistry;
  /** The durable fan-out behind `createConversations` and the batch queries. */
  fanout: FanoutService;
  /** Introspection and the Sandbox landing page. */
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
  /** Headers and a first query that the Sandbox landing page starts with (demo mode). */
  sandboxInitialState?: { headers: Record<string, string>; document: string };
}

export interface Gateway {
  httpServer: Server;
  apollo: ApolloServer<GatewayContext>;
  /** Starts Apollo (not the socket: call `httpServer.listen`). */
  start(): Promise<void>;
  /** Stops accepting requests and drains the ones in flight. */
  stop(): Promise<void>;
}

/**
 * Builds the gateway: Apollo Server, its plugins and the HTTP routes, with no side effects until
 * `start`. `main.ts` wires the dependencies; tests build gateways on their own simulators.
 */
export function createGateway(options: GatewayOptions): Gateway {
  const httpLimits = { ...DEFAULT_HTTP_LIMITS, ...options.httpLimits };
  const httpServer = createLimitedHttpServer(httpLimits);
  const landingPage = !options.introspection
    ? ApolloServerPluginLandingPageDisabled()
    : options.sandboxInitialState
      ? ApolloServerPluginLandingPageLocalDefault({ embed: true, ...options.sandboxInitialState })
      : ApolloServerPluginLandingPageLocalDefault({ embed: true });

  const { plugins: limitPlugins, ...limitOptions } = queryLimitGuards<GatewayContext>(options.limits ?? DEFAULT_QUERY_LIMITS);
  const apollo = new ApolloServer<GatewayContext>({
    typeDefs: loadTypeDefs(),
    resolvers,
    introspection: options.introspection,
    includeStacktraceInErrorResponses: options.includeStacktrace,
    csrfPrevention: true,
    // main.ts owns SIGTERM/SIGINT and stops everything in order; Apollo's own handlers (on outside
    // NODE_ENV=test) re-raise the signal into main's handler and the shutdown never finishes.
    stopOnTerminationSignals: false,
    ...limitOptions,
    formatError: formatGatewayError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ...limitPlugins,
      partialErrorsPlugin,
      ...(options.logger ? [errorLoggingPlugin(options.logger)] : []),
      landingPage,
      // Nothing in the schema gives cache hints or traces: no per-resolver wrapping for them.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      noStorePlugin,
    ],
  });

  const contextFor = createContextFactory(options.registry, options.fanout);
  const graphql = createGraphQLHttpHandler({
    server: apollo,
    context: async (req) => contextFor(req.headers),
    maxBodyBytes: options.maxBodyBytes ?? 1_000_000,
    bodyIdleTimeoutMs: httpLimits.bodyIdleTimeoutMs,
  });

  httpServer.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (path === '/graphql' || path === '/') {
      graphql(req, res).catch(() => {
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        else res.destroy();
      });
      return;
    }
    sendJson(res, 404, { errors: [{ message: `Not found: ${path}. The API is at /graphql.`, extensions: { code: 'NOT_FOUND' } }] });
  });

  return {
    httpServer,
    apollo,
    start: () => apollo.start(),
    stop: async () => {
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

