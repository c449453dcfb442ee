import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config.ts';
import { startDemoEnvironment } from '../../src/demo/demoEnvironment.ts';
import { FanoutService } from '../../src/fanout/fanoutService.ts';
import { closeProviderTransports, createProviderTransports } from '../../src/providers/connectorFactory.ts';
import { createGateway } from '../../src/server.ts';
import type { Database } from '../../src/store/database.ts';
import type { NewBatchItem } from '../../src/store/records.ts';
import { WorkspaceRegistry } from '../../src/workspaces/workspaceRegistry.ts';

export interface StoreGateway {
  /** The GraphQL endpoint. */
  url: string;
  /** POSTs a query with the demo workspace's key and returns the parsed body. */
  query<T>(document: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] }>;
  close(): Promise<void>;
}

/**
 * A gateway over the demo workspaces and their simulators whose store is `database` and whose
 * fan-out is never started: the only statements `database` runs are those the GraphQL requests
 * cause (tests that count them, or that make another replica's writes land between them).
 */
export async function startStoreGateway(database: Database, replicaId: string): Promise<StoreGateway> {
  // The demo's simulators keep no state on disk (as startTestGateway's): test files run side by
  // side, and the default data directory is one process's at a time.
  const { env } = loadConfig({ NODE_ENV: 'test', SWITCHBOARD_DATA_DIR: 'memory://' });
  const demo = await startDemoEnvironment(env);
  const transports = createProviderTransports();
  const registry = new WorkspaceRegistry(demo.workspaces, transports, { timeoutMs: 5_000 });
  const fanout = new FanoutService({
    database,
    replicaId,
    connectorFor: () => {
      throw new Error('no dispatch in this test');
    },
  });
  const gateway = createGateway({ registry, fanout, introspection: false, includeStacktrace: false });
  await gateway.start();
  await new Promise<void>((resolve) => gateway.httpServer.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(gateway.httpServer.address() as AddressInfo).port}/graphql`;
  return {
    url,
    query: async (document, variables) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer demo-key' },
        body: JSON.stringify({ query: document, variables }),
      });
      return (await response.json()) as never;
    },
    close: async () => {
      await gateway.stop();
      await closeProviderTransports(transports);
      await demo.close();
    },
  };
}

/** A QUEUED Oration chat item for such a store: its fan-out never sends it. */
export function neverSentItem(index: number, budgetKey: string): NewBatchItem {
  return {
    index,
    requestId: randomUUID(),
    provider: 'ORATION',
    budgetKey,
    agentNativeId: 'agent',
    channel: 'CHAT',
    toNumber: null,
    sipTrunkAddress: null,
    dynamicVariables: {},
    prospect: null,
  };
}
