import { loadConfig } from '../../src/config.ts';
import { startDemoEnvironment, type DemoEnvironment } from '../../src/demo/demoEnvironment.ts';
import { closeProviderDispatchers, createProviderDispatchers } from '../../src/providers/connectorFactory.ts';
import { createGateway, type Gateway } from '../../src/server.ts';
import { WorkspaceRegistry } from '../../src/workspaces/workspaceRegistry.ts';
import type { AddressInfo } from 'node:net';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  body: { data?: T | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
}

export interface TestGateway {
  url: string;
  gateway: Gateway;
  demo: DemoEnvironment;
  /** POSTs a query with the given API key (default: the demo key). */
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, apiKey?: string | null): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/**
 * The real gateway on the real simulators, in demo configuration, on free ports. Tests read the
 * simulators' request counters through `demo.simulators`.
 */
export async function startTestGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const { env: parsed } = loadConfig({ NODE_ENV: 'test', SWITCHBOARD_DEMO_CALL_SECONDS: '0.2', ...env });
  const demo = await startDemoEnvironment(parsed);
  const dispatchers = createProviderDispatchers();
  const registry = new WorkspaceRegistry(demo.workspaces, dispatchers, { timeoutMs: parsed.SWITCHBOARD_UPSTREAM_TIMEOUT_MS });
  const gateway = createGateway({ registry, introspection: true, includeStacktrace: false });
  await gateway.start();
  await new Promise<void>((resolve) => gateway.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = gateway.httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    url,
    gateway,
    demo,
    async query<T>(query: string, variables?: Record<string, unknown>, apiKey: string | null = 'demo-key'): Promise<GraphQLResponse<T>> {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GraphQLResponse<T>['body'] };
    },
    async close() {
      await gateway.stop();
      await closeProviderDispatchers(dispatchers);
      await demo.close();
    },
  };
}
