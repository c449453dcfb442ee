import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config.ts';
import { startDemoEnvironment, type DemoEnvironment } from '../../src/demo/demoEnvironment.ts';
import type { FanoutTiming } from '../../src/fanout/fanoutTiming.ts';
import { startGatewayRuntime, type GatewayRuntime } from '../../src/gatewayRuntime.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import type { ProviderTransports } from '../../src/providers/connectorFactory.ts';
import type { GatewayTracing } from '../../src/observability/tracing.ts';
import type { ResilienceHooks } from '../../src/providers/resilience/providerResilience.ts';
import type { Gateway, GatewayOptions } from '../../src/server.ts';
import type { WorkspaceConfig } from '../../src/workspaces/workspaceConfig.ts';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  body: { data?: T | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
}

export interface TestGateway {
  url: string;
  gateway: Gateway;
  demo: DemoEnvironment;
  /** The per-provider transports; `transports.TRATA.resilience` reaches a provider's breaker. */
  transports: ProviderTransports;
  /** Everything the gateway runs on: registry, fan-out, store. */
  runtime: GatewayRuntime;
  /** POSTs a query with the given API key (default: the demo key). */
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, apiKey?: string | null): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /** Receives the gateway's log lines (upstream failures, breaker changes, unexpected errors). */
  logger?: Logger;
  /** Receives the access lines, one per operation; silent by default, so `logger` gets only the lines a test looks for. */
  accessLogger?: Logger;
  /** A clock, sleep or random source for the providers' resilience policies. */
  resilienceHooks?: Omit<ResilienceHooks, 'logger'>;
  /** Overrides of the gateway options (introspection, stack traces, limits). */
  gateway?: Partial<Omit<GatewayOptions, 'registry' | 'fanout'>>;
  /** The fan-out store; default PGlite in memory. */
  store?: { databaseUrl?: string; dataDir?: string; schema?: string };
  fanoutTiming?: Partial<FanoutTiming>;
  /** Tracing with the test's exporter; off by default, whatever OTEL_* the test process has. */
  tracing?: GatewayTracing;
  /** The workspaces served, made from the demo's (e.g. without one provider's accounts); the demo's by default. */
  workspaces?: (demo: readonly WorkspaceConfig[]) => WorkspaceConfig[];
}

/**
 * The real gateway on the real simulators, in demo configuration, on free ports. Tests read the
 * simulators' request counters through `demo.simulators`. Limits and resilience settings come
 * from `env` exactly as in production (`SWITCHBOARD_MAX_COST`, `SWITCHBOARD_UPSTREAM_RETRIES`, ...).
 */
export async function startTestGateway(env: Record<string, string> = {}, options: TestGatewayOptions = {}): Promise<TestGateway> {
  // The demo's simulators keep their state beside the store's data directory; an in-memory store
  // (the default here) keeps none, so tests never write into the checkout's .data.
  const { env: parsed } = loadConfig({
    NODE_ENV: 'test',
    SWITCHBOARD_DEMO_CALL_SECONDS: '0.2',
    SWITCHBOARD_DATA_DIR: options.store?.dataDir ?? 'memory://',
    ...env,
  });
  const demo = await startDemoEnvironment(parsed);
  const runtime = await startGatewayRuntime({
    env: parsed,
    workspaces: options.workspaces ? options.workspaces(demo.workspaces) : demo.workspaces,
    logger: options.logger ?? createLogger('silent'),
    accessLogger: options.accessLogger ?? createLogger('silent'),
    store: options.store ?? { dataDir: 'memory://' },
    replicaId: 'test-gateway',
    fanoutTiming: { pollIntervalMs: 50, discoveryIntervalMs: 100, ...options.fanoutTiming },
    ...(options.resilienceHooks && { resilienceHooks: options.resilienceHooks }),
    tracing: options.tracing ?? null,
    gateway: { introspection: true, includeStacktrace: false, ...options.gateway },
  });
  const { gateway, transports } = runtime;
  await new Promise<void>((resolve) => gateway.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = gateway.httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    url,
    gateway,
    demo,
    transports,
    async query<T>(query: string, variables?: Record<string, unknown>, apiKey: string | null = 'demo-key'): Promise<GraphQLResponse<T>> {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GraphQLResponse<T>['body'] };
    },
    runtime,
    async close() {
      await runtime.close();
      await demo.close();
    },
  };
}
