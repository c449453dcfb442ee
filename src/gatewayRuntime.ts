import { hostname } from 'node:os';
import { fanoutTimingOf, httpLimitsOf, queryLimitsOf, resilienceOptionsOf, type Env } from './config.ts';
import { FanoutService } from './fanout/fanoutService.ts';
import type { FanoutTiming } from './fanout/fanoutTiming.ts';
import type { Logger } from './logger.ts';
import {
  closeProviderTransports,
  createProviderTransports,
  type ProviderTransportsOptions,
  type ProviderTransports,
} from './providers/connectorFactory.ts';
import { createGateway, type Gateway, type GatewayOptions } from './server.ts';
import { databaseUnavailable, portUnavailable } from './startupErrors.ts';
import type { Database } from './store/database.ts';
import { migrate } from './store/migrate.ts';
import { openDatabase } from './store/openDatabase.ts';
import type { WorkspaceConfig } from './workspaces/workspaceConfig.ts';
import { WorkspaceRegistry } from './workspaces/workspaceRegistry.ts';

export interface GatewayRuntimeOptions {
  env: Env;
  workspaces: readonly WorkspaceConfig[];
  logger: Logger;
  /** Where batches live. @default `DATABASE_URL` (in `SWITCHBOARD_DATABASE_SCHEMA`), else PGlite in `SWITCHBOARD_DATA_DIR` */
  store?: { databaseUrl?: string; dataDir?: string; schema?: string };
  /** Names this replica in dispatch leases; stable across restarts of one replica. @default SWITCHBOARD_REPLICA_ID, else host name + port */
  replicaId?: string;
  /** Overrides of the fan-out timing the environment sets (`SWITCHBOARD_FANOUT_*`). */
  fanoutTiming?: Partial<FanoutTiming>;
  resilienceHooks?: ProviderTransportsOptions['hooks'];
  gateway?: Partial<Omit<GatewayOptions, 'registry' | 'fanout'>>;
  /** Binds the HTTP port before the fan-out starts, so a port in use stops the start before anything is dispatched. */
  listen?: { port: number; host: string };
}

export interface GatewayRuntime {
  gateway: Gateway;
  registry: WorkspaceRegistry;
  fanout: FanoutService;
  database: Database;
  transports: ProviderTransports;
  /** Stops the HTTP server, the dispatcher loops, the upstream pools and the store, in that order. */
  close(): Promise<void>;
}

/**
 * Wires the gateway's dependencies: provider transports, the workspace registry, the store (with
 * its migrations), the fan-out engine and the HTTP/GraphQL server. Nothing listens yet; `main.ts`
 * and the tests call `gateway.httpServer.listen`. One composition for production, tests and
 * benchmarks, so they cannot drift apart.
 */
export async function startGatewayRuntime(options: GatewayRuntimeOptions): Promise<GatewayRuntime> {
  const { env, logger } = options;
  const transports = createProviderTransports({
    resilience: resilienceOptionsOf(env),
    hooks: { ...options.resilienceHooks, logger },
  });
  const registry = new WorkspaceRegistry(options.workspaces, transports, { timeoutMs: env.SWITCHBOARD_UPSTREAM_TIMEOUT_MS });

  const store = options.store ?? storeOptionsOf(env);
  let database: Database;
  try {
    database = await openDatabase(store);
    if (!database.migrated) await migrate(database);
  } catch (error) {
    throw store.databaseUrl ? databaseUnavailable(store.databaseUrl, error) : error;
  }

  const fanout = new FanoutService({
    database,
    replicaId: options.replicaId ?? env.SWITCHBOARD_REPLICA_ID ?? `${hostname()}:${env.PORT}`,
    connectorFor: (workspaceId, provider) => {
      const connector = registry.get(workspaceId)?.connectors.get(provider);
      if (!connector) throw new Error(`workspace ${workspaceId} has no ${provider} account`);
      return connector;
    },
    timing: { ...fanoutTimingOf(env), ...options.fanoutTiming },
    // An embedded store with no unfinished item stays closed until a batch is created here.
    nothingPendingAtStart: database.pendingWorkAtStart === false,
    onError: (error, during) =>
      logger.warn('fan-out: recovered from an error', { during, error: error instanceof Error ? error.message : String(error) }),
  });

  const production = env.NODE_ENV === 'production';
  const gateway = createGateway({
    registry,
    fanout,
    introspection: env.SWITCHBOARD_INTROSPECTION ?? !production,
    includeStacktrace: !production && env.NODE_ENV !== 'test',
    maxBodyBytes: env.SWITCHBOARD_MAX_BODY_BYTES,
    httpLimits: httpLimitsOf(env),
    limits: queryLimitsOf(env),
    logger,
    ...options.gateway,
  });
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
      await gateway.stop();
      await closeProviderTransports(transports);
      await database.close();
      throw portUnavailable(port, host, error);
    }
  }
  await fanout.start();

  return {
    gateway,
    registry,
    fanout,
    database,
    transports,
    async close() {
      await gateway.stop();
      await fanout.stop();
      await closeProviderTransports(transports);
      await database.close();
    },
  };
}

function storeOptionsOf(env: Env): NonNullable<GatewayRuntimeOptions['store']> {
  if (!env.DATABASE_URL) return { dataDir: env.SWITCHBOARD_DATA_DIR };
  return { databaseUrl: env.DATABASE_URL, ...(env.SWITCHBOARD_DATABASE_SCHEMA && { schema: env.SWITCHBOARD_DATABASE_SCHEMA }) };
}
