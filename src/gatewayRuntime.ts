import { hostname } from 'node:os';
import { answerWithin } from './answerWithin.ts';
import { WorkspaceRateLimit } from './limits/workspaceRateLimit.ts';
import { exportLimitSettingsOf, fanoutTimingOf, httpLimitsOf, liveSettingsOf, queryLimitsOf, resilienceOptionsOf, shutdownTimingOf, type Env } from './config.ts';
import { FanoutService } from './fanout/fanoutService.ts';
import type { FanoutTiming } from './fanout/fanoutTiming.ts';
import type { Logger } from './logger.ts';
import {
  closeProviderTransports,
  createProviderTransports,
  type ProviderTransportsOptions,
  type ProviderTransports,
} from './providers/connectorFactory.ts';
import { createObservability, type Observability } from './observability/observability.ts';
import { createTracing, type GatewayTracing } from './observability/tracing.ts';
import { createGateway, type Gateway, type GatewayOptions } from './server.ts';
import { databaseUnavailable, listenUnavailable, StartupError, type StoreBounds } from './startupErrors.ts';
import { isStoreUnavailable } from './store/storeUnavailable.ts';
import type { Database } from './store/database.ts';
import { migrate } from './store/migrate.ts';
import { openDatabase } from './store/openDatabase.ts';
import type { WorkspaceConfig } from './workspaces/workspaceConfig.ts';
import { WorkspaceRegistry } from './workspaces/workspaceRegistry.ts';
import { createLiveServices, type LiveServices } from './sync/liveServices.ts';

export interface GatewayRuntimeOptions {
  env: Env;
  workspaces: readonly WorkspaceConfig[];
  logger: Logger;
  /** Where the access lines go (one per operation). @default `logger` */
  accessLogger?: Logger;
  /** Where batches live. @default `DATABASE_URL` (in `SWITCHBOARD_DATABASE_SCHEMA`), else PGlite in `SWITCHBOARD_DATA_DIR`; a PostgreSQL pool has `SWITCHBOARD_DATABASE_POOL_SIZE` connections either way */
  store?: { databaseUrl?: string; dataDir?: string; schema?: string };
  /** Names this replica in dispatch leases; stable across restarts of one replica. @default SWITCHBOARD_REPLICA_ID, else host name + port */
  replicaId?: string;
  /** Overrides of the fan-out timing the environment sets (`SWITCHBOARD_FANOUT_*`). */
  fanoutTiming?: Partial<FanoutTiming>;
  resilienceHooks?: ProviderTransportsOptions['hooks'];
  gateway?: Partial<Omit<GatewayOptions, 'registry' | 'fanout'>>;
  /** Spans of operations and upstream requests. @default from the OTEL_* variables (off unless set) */
  tracing?: GatewayTracing | null;
  /** Binds the HTTP port before the fan-out starts, so a port in use stops the start before anything is dispatched. */
  listen?: { port: number; host: string };
}

export interface GatewayRuntime {
  gateway: Gateway;
  registry: WorkspaceRegistry;
  fanout: FanoutService;
  database: Database;
  transports: ProviderTransports;
  /** Metrics, tracing and readiness of this gateway. */
  observability: Observability;
  /** The synced store: change feed, sync, webhooks, subscriptions. */
  live: LiveServices;
  /**
   * Graceful stop within `timeoutMs` (default: no bound): the HTTP server stops accepting and
   * drains the operations in flight while the fan-out stops claiming and records the answers of
   * the creates in flight; then this replica's dispatch leases are released, and the upstream
   * pools and the store closed. `drained` is false when the bound cut the draining short (what was
   * cut off stays DISPATCHING in the store and is reconciled, never sent twice).
   */
  close(options?: { timeoutMs?: number }): Promise<{ drained: boolean }>;
}

/**
 * Wires the gateway's dependencies: provider transports, the workspace registry, the store (with
 * its migrations), the fan-out engine and the HTTP/GraphQL server. Nothing listens yet; `main.ts`
 * and the tests call `gateway.httpServer.listen`. One composition for production, tests and
 * benchmarks, so they cannot drift apart.
 */
export async function startGatewayRuntime(options: GatewayRuntimeOptions): Promise<GatewayRuntime> {
  const { env, logger } = options;
  // Everything this start opened so far, closed by the one teardown: by `close()`, and by a start
  // that fails half-way (which would otherwise leave pools, the store's lease, the feed's
  // connection or the port open in a process that goes on, e.g. a test or a supervisor's retry).
  const opened: OpenedParts = {};
  const teardown = (bound: { timeoutMs?: number }) => closeOpenedParts(opened, bound, logger);
  const store = options.store ?? storeOptionsOf(env);
  try {
    // Read by the gauges and /readyz once it is open; the transports are made after their observer.
    const observability = createObservability({
      logger: options.accessLogger ?? logger,
      tracing: options.tracing === undefined ? await createTracing() : options.tracing,
      transports: () => opened.transports,
      database: () => opened.database,
      changeFeedListening: () => opened.live?.feed.isListening?.() ?? null,
      // The registry is made after the transports, which report to this observability.
      configuredProviders: () => registry.providers(),
    });
    opened.tracing = observability.tracing;
    const transports = createProviderTransports({
      resilience: resilienceOptionsOf(env),
      hooks: { ...options.resilienceHooks, logger },
      observer: observability.upstreamObserver,
    });
    opened.transports = transports;
    const registry = new WorkspaceRegistry(options.workspaces, transports, { timeoutMs: env.SWITCHBOARD_UPSTREAM_TIMEOUT_MS });

    let database: Database;
    try {
      // The pool's size comes from the environment even when a test names the store: the export cap follows it.
      database = await openDatabase({
        ...store,
        maxConnections: env.SWITCHBOARD_DATABASE_POOL_SIZE,
        statementTimeoutMs: env.SWITCHBOARD_DATABASE_STATEMENT_TIMEOUT_MS,
        connectTimeoutMs: env.SWITCHBOARD_DATABASE_CONNECT_TIMEOUT_MS,
        idleMs: env.SWITCHBOARD_STORE_IDLE_MS,
        logger,
      });
      opened.database = database;
      if (!database.migrated) await migrate(database);
    } catch (error) {
      throw store.databaseUrl ? databaseUnavailable(store.databaseUrl, error, storeBoundsOf(env)) : error;
    }

    const replicaId = options.replicaId ?? env.SWITCHBOARD_REPLICA_ID ?? `${hostname()}:${env.PORT}`;
    const fanout = new FanoutService({
      database,
      replicaId,
      connectorFor: (workspaceId, provider) => {
        const connector = registry.get(workspaceId)?.connectors.get(provider);
        if (!connector) throw new Error(`workspace ${workspaceId} has no ${provider} account`);
        return connector;
      },
      timing: { ...fanoutTimingOf(env), ...options.fanoutTiming },
      // An embedded store with no unfinished item stays closed until a batch is created here.
      nothingPendingAtStart: database.pendingWorkAtStart === false,
      // Only the embedded store in a data directory says what was pending: only this process writes it.
      soleWriter: database.pendingWorkAtStart !== undefined,
      onError: (error, during) =>
        logger.warn('fan-out: recovered from an error', { during, error: error instanceof Error ? error.message : String(error) }),
    });
    opened.fanout = fanout;

    const live = await createLiveServices({
      database,
      ...(store.databaseUrl && {
        postgres: { databaseUrl: store.databaseUrl, connectTimeoutMs: env.SWITCHBOARD_DATABASE_CONNECT_TIMEOUT_MS, ...(store.schema && { schema: store.schema }) },
      }),
      registry,
      workspaces: options.workspaces,
      fanout,
      replicaId,
      settings: liveSettingsOf(env),
      logger,
    });
    opened.live = live;

    const production = env.NODE_ENV === 'production';
    const shutdown = shutdownTimingOf(env);
    const gateway = createGateway({
      registry,
      fanout,
      introspection: env.SWITCHBOARD_INTROSPECTION ?? !production,
      includeStacktrace: !production && env.NODE_ENV !== 'test',
      maxBodyBytes: env.SWITCHBOARD_MAX_BODY_BYTES,
      httpLimits: httpLimitsOf(env),
      limits: queryLimitsOf(env),
      federation: env.SWITCHBOARD_FEDERATION,
      shutdownGraceMs: shutdown.drainGraceMs,
      corsOrigins: env.SWITCHBOARD_CORS_ORIGINS,
      logger,
      observability,
      shutdownDelayMs: shutdown.delayMs,
      live,
      // The caps left unset follow the pool just opened (a third of it; PGlite: of the default pool).
      exportLimits: exportLimitSettingsOf(env),
      ...(env.SWITCHBOARD_RATE_LIMIT_PER_MINUTE > 0 && {
        rateLimit: new WorkspaceRateLimit({
          requestsPerWindow: env.SWITCHBOARD_RATE_LIMIT_PER_MINUTE,
          onRefused: ({ workspaceId, entry }) => observability.metrics.observeRateLimited(workspaceId, entry),
        }),
      }),
      ...options.gateway,
    });
    opened.gateway = gateway;
    await gateway.start();
    // The fan-out starts only once the port is ours: a process that cannot serve must not dispatch.
    if (options.listen) {
      const { port, host } = options.listen;
      const server = gateway.httpServer;
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        throw listenUnavailable(port, host, error);
      }
    }
    opened.fanoutStarted = true;
    await fanout.start();
    live.start();

    return {
      gateway,
      registry,
      fanout,
      database,
      transports,
      observability,
      live,
      close: ({ timeoutMs }: { timeoutMs?: number } = {}) => teardown({ ...(timeoutMs !== undefined && { timeoutMs }) }),
    };
  } catch (error) {
    await teardown({});
    // A store that stopped answering after it opened (a statement of the fan-out's start stuck
    // behind another session's lock) is a start-up failure of the same kind, in one line.
    if (store.databaseUrl && !(error instanceof StartupError) && isStoreUnavailable(error)) throw databaseUnavailable(store.databaseUrl, error, storeBoundsOf(env));
    throw error;
  }
}

function storeBoundsOf(env: Env): StoreBounds {
  return { connectTimeoutMs: env.SWITCHBOARD_DATABASE_CONNECT_TIMEOUT_MS, statementTimeoutMs: env.SWITCHBOARD_DATABASE_STATEMENT_TIMEOUT_MS };
}

/** What a start has opened so far; each part is set as soon as it exists. */
interface OpenedParts {
  tracing?: GatewayTracing | null;
  transports?: ProviderTransports;
  database?: Database;
  fanout?: FanoutService;
  /** Whether `fanout.start` was called (only then may this replica hold leases of this life). */
  fanoutStarted?: boolean;
  live?: LiveServices;
  gateway?: Gateway;
}

/**
 * The one teardown, for `close()` and for a failed start: closes whatever was opened, newest
 * first. Webhooks and subscriptions stop with the HTTP server, then sync and the change feed,
 * while the fan-out records the answers of the creates in flight; then this replica's dispatch
 * leases are released, and the upstream pools, the store and tracing closed. A part that fails to
 * close is logged and the others still close.
 */
async function closeOpenedParts(opened: OpenedParts, { timeoutMs }: { timeoutMs?: number }, logger: Logger): Promise<{ drained: boolean }> {
  const attempt = async (what: string, close: () => Promise<unknown>) => {
    try {
      await close();
    } catch (error) {
      logger.warn(`shutdown: could not ${what}`, { error: error instanceof Error ? error.message : String(error) });
    }
  };
  const { gateway, live, fanout, transports, database, tracing } = opened;
  const stopServing = (async () => {
    if (gateway) await attempt('stop the HTTP server', () => gateway.stop());
    if (live) await attempt('close sync and the change feed', () => live.close());
  })();
  const stopDispatching = fanout ? attempt('stop the fan-out', () => fanout.stop()) : Promise.resolve();
  const drained = await settlesWithin(Promise.all([stopServing, stopDispatching]), timeoutMs);
  // A store this process has not used since start (no batch, no sync pass) holds no lease of ours to release.
  if (fanout && opened.fanoutStarted && database?.usedSinceStart?.() !== false) {
    await attempt('release the dispatch leases; they expire on their own', () => fanout.releaseLeases());
  }
  // A pool waits for its requests to end; past the bound the process exits instead (a create
  // cut off mid-flight stays DISPATCHING and is reconciled, never aborted into a guess).
  if (transports && drained) await attempt('close the upstream pools', () => closeProviderTransports(transports));
  if (database) await attempt('close the store', () => database.close());
  if (tracing) await attempt('flush the traces', () => tracing.shutdown());
  return { drained };
}

/** Whether `work` settled within `timeoutMs` (always waits for it without a bound). */
async function settlesWithin(work: Promise<unknown>, timeoutMs: number | undefined): Promise<boolean> {
  if (timeoutMs === undefined) {
    await work;
    return true;
  }
  return (await answerWithin(work, timeoutMs)).answered;
}

function storeOptionsOf(env: Env): NonNullable<GatewayRuntimeOptions['store']> {
  if (!env.DATABASE_URL) return { dataDir: env.SWITCHBOARD_DATA_DIR };
  return { databaseUrl: env.DATABASE_URL, ...(env.SWITCHBOARD_DATABASE_SCHEMA && { schema: env.SWITCHBOARD_DATABASE_SCHEMA }) };
}
