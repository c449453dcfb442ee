import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config.ts';
import { startDemoEnvironment, type DemoEnvironment } from '../../src/demo/demoEnvironment.ts';
import type { FanoutTiming } from '../../src/fanout/fanoutTiming.ts';
import { startGatewayRuntime, type GatewayRuntime } from '../../src/gatewayRuntime.ts';
import { createLogger } from '../../src/logger.ts';
import type { WorkspaceConfig } from '../../src/workspaces/workspaceConfig.ts';

export interface LiveGateway {
  /** http://127.0.0.1:<port> */
  origin: string;
  runtime: GatewayRuntime;
  demo: DemoEnvironment;
  logLines: string[];
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, apiKey?: string): Promise<{ data?: T; errors?: unknown[] }>;
  /** `<origin>/webhooks/<provider>/<the workspace's token>` */
  webhookUrl(workspaceId: string, provider: 'oration' | 'trata' | 'voiceos'): Promise<string>;
  close(): Promise<void>;
}

/**
 * The real gateway (demo configuration) on the real simulators, with the synced store's parts on:
 * `configure` may change the workspaces (e.g. add signing secrets), `demo` reuse the simulators of
 * another gateway (a second replica), `store` pick PostgreSQL.
 */
export async function startLiveGateway(
  options: {
    env?: Record<string, string>;
    configure?: (workspaces: WorkspaceConfig[]) => void;
    demo?: DemoEnvironment;
    store?: { databaseUrl?: string; dataDir?: string; schema?: string };
    replicaId?: string;
    fanoutTiming?: Partial<FanoutTiming>;
    /** @default true */
    introspection?: boolean;
    /** As demo mode on loopback sets it (http/loopbackGuard.ts). @default false */
    loopbackHostsOnly?: boolean;
  } = {},
): Promise<LiveGateway> {
  const { env } = loadConfig({
    NODE_ENV: 'test',
    SWITCHBOARD_DEMO_CALL_SECONDS: '0.3',
    SWITCHBOARD_DATA_DIR: 'memory://',
    SWITCHBOARD_SYNC: 'false',
    ...options.env,
  });
  const ownDemo = options.demo === undefined;
  const demo = options.demo ?? (await startDemoEnvironment(env));
  const workspaces = structuredClone(demo.workspaces);
  options.configure?.(workspaces);
  const logLines: string[] = [];
  const runtime = await startGatewayRuntime({
    env,
    workspaces,
    logger: createLogger('debug', (line) => logLines.push(line)),
    store: options.store ?? { dataDir: 'memory://' },
    replicaId: options.replicaId ?? 'live-test',
    fanoutTiming: { pollIntervalMs: 50, discoveryIntervalMs: 100, ...options.fanoutTiming },
    gateway: { introspection: options.introspection ?? true, includeStacktrace: false, loopbackHostsOnly: options.loopbackHostsOnly ?? false },
  });
  await new Promise<void>((resolve) => runtime.gateway.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = runtime.gateway.httpServer.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    runtime,
    demo,
    logLines,
    async query(query, variables, apiKey = 'demo-key') {
      const response = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as never;
    },
    webhookUrl: async (workspaceId, provider) => `${origin}/webhooks/${provider}/${await runtime.live.webhookToken(workspaceId)}`,
    async close() {
      await runtime.close();
      if (ownDemo) await demo.close();
    },
  };
}
