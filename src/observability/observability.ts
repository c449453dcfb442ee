import type { ApolloServerPlugin } from '@apollo/server';
import type { ExportHooks } from '../analytics/exports/exportRoute.ts';
import type { GatewayContext } from '../context.ts';
import type { Provider } from '../domain/types.ts';
import type { Logger } from '../logger.ts';
import type { ProviderTransports } from '../providers/connectorFactory.ts';
import type { UpstreamObserver } from '../providers/http.ts';
import type { Database } from '../store/database.ts';
import { countItemsByState, readBudgetGauges } from '../store/queries/storeGauges.ts';
import { createHealthRoutes } from './healthRoutes.ts';
import { GatewayMetrics } from './metrics.ts';
import { operationObserverPlugin } from './operationPlugin.ts';
import { Readiness } from './readiness.ts';
import { createRefusalObserver, createRequestObserver, createRouteObserver, type ObserveRefusal, type ObserveRequest, type ObserveRoute } from './requestObserver.ts';
import type { GatewayTracing } from './tracing.ts';
import { createUpstreamObserver, type UpstreamObserverFor } from './upstreamObserver.ts';

/** What the HTTP server and Apollo need from observability (`createGateway`'s `observability`). */
export interface GatewayObservability {
  observeRequest: ObserveRequest;
  /** Writes the access line of a request to a route beside GraphQL. */
  observeRoute: ObserveRoute;
  /** Writes the access line of a request Node refused before routing (headers too large, a timeout, not HTTP). */
  observeRefusal: ObserveRefusal;
  /** Answers /healthz, /health, /readyz and /metrics; false for any other path. */
  routes: ReturnType<typeof createHealthRoutes>;
  plugin: ApolloServerPlugin<GatewayContext>;
  readiness: Readiness;
  /** Told of each DataLoader batch (loader name, keys in it). */
  onLoaderBatch: (loader: string, size: number) => void;
  /** The upstream observer of one request's connectors (`Workspace.observedBy`): counted for its access line, traced under its span. */
  upstreamObserverFor: UpstreamObserverFor;
  /** Told of each export's slot: taken, given back at its end, or refused (the export metrics). */
  exportHooks: Required<ExportHooks>;
}

export interface Observability extends GatewayObservability {
  metrics: GatewayMetrics;
  tracing: GatewayTracing | null;
  /** The transports' observer: upstream requests made on behalf of no request (fan-out, sync, webhooks). */
  upstreamObserver: UpstreamObserver;
}

export interface ObservabilityOptions {
  /** Receives the access lines. */
  logger: Logger;
  tracing: GatewayTracing | null;
  /** Read lazily (at scrape or check time): the runtime creates them after the observer they use. */
  transports: () => ProviderTransports | undefined;
  database: () => Database | undefined;
  /**
   * The providers some workspace has an account at: readiness weighs only their breakers (an
   * unconfigured provider's breaker never opens, so it counted as a provider that still answers).
   */
  configuredProviders: () => ReadonlySet<Provider>;
  /** Whether the change feed listens now; null where it needs no connection (the embedded store's feed is in the process). */
  changeFeedListening?: () => boolean | null;
}

/**
 * Wires logs, metrics, traces and health together for one gateway. The rest of the code sees only
 * small callbacks: the upstream observer, the loader-batch hook, the request observer, and the
 * sources the gauges read at scrape time.
 */
export function createObservability(options: ObservabilityOptions): Observability {
  const { logger, tracing } = options;
  const breakers = () =>
    Object.values(options.transports() ?? {}).flatMap(({ resilience }) =>
      resilience ? [{ provider: resilience.provider, state: resilience.breaker.state, failingFast: resilience.breaker.failingFast }] : [],
    );
  const database = () => {
    const db = options.database();
    if (!db) throw new Error('the store is not open');
    return db;
  };
  // An embedded store whose process is stopped (idle, or not yet used) stays stopped: starting it
  // for every probe or scrape would keep 100 MiB in use for nothing (BENCHMARKS.md, idle memory).
  // Stopped, nothing is dispatching (a batch's statements keep it running) and its directory is
  // leased; the batch gauges read as before it first opened until a statement starts it again.
  const storeOpen = () => options.database()?.isRunning?.() ?? true;
  const metrics = new GatewayMetrics({
    breakers,
    budgets: async () => (storeOpen() ? readBudgetGauges(database()) : []),
    itemsByState: async () => (storeOpen() ? countItemsByState(database()) : null),
    pool: () => options.database()?.poolStats?.() ?? null,
    storeProcessRunning: () => options.database()?.isRunning?.() ?? null,
    changeFeedListening: () => options.changeFeedListening?.() ?? null,
  });
  const upstreamObserverFor = createUpstreamObserver({ metrics, tracer: tracing?.tracer ?? null });
  const readiness = new Readiness({
    pingStore: async () => void (storeOpen() && (await database().query('SELECT 1'))),
    breakers: () => {
      const configured = options.configuredProviders();
      return breakers().filter((breaker) => configured.has(breaker.provider));
    },
  });
  return {
    metrics,
    tracing,
    readiness,
    upstreamObserver: upstreamObserverFor(null),
    upstreamObserverFor,
    observeRequest: createRequestObserver({ logger, metrics, tracer: tracing?.tracer ?? null }),
    observeRoute: createRouteObserver({ logger }),
    observeRefusal: createRefusalObserver({ logger }),
    routes: createHealthRoutes({ readiness, metrics }),
    plugin: operationObserverPlugin(),
    onLoaderBatch: (loader, size) => metrics.observeLoaderBatch(loader, size),
    exportHooks: {
      onExportStart: ({ kind }) => metrics.observeExportStart(kind),
      onExportEnd: ({ kind, outcome }) => metrics.observeExportEnd(kind, outcome),
      onExportRefused: ({ limit }) => metrics.observeExportRefused(limit),
    },
  };
}
