import { loadConfig } from '../../src/config.ts';
import { startDemoEnvironment, type DemoEnvironment } from '../../src/demo/demoEnvironment.ts';
import type { Conversation, Provider } from '../../src/domain/types.ts';
import { ChangeWriter } from '../../src/feed/changeWriter.ts';
import type { ChangeFeed } from '../../src/feed/changeEvent.ts';
import { InProcessFeed } from '../../src/feed/inProcessFeed.ts';
import type { ProviderConnector } from '../../src/providers/connector.ts';
import { closeProviderTransports, createProviderTransports, type ProviderTransports } from '../../src/providers/connectorFactory.ts';
import type { Database } from '../../src/store/database.ts';
import { SyncService, type SyncServiceOptions } from '../../src/sync/syncService.ts';
import { WorkspaceRegistry } from '../../src/workspaces/workspaceRegistry.ts';

export interface SyncHarness {
  demo: DemoEnvironment;
  registry: WorkspaceRegistry;
  connector(workspaceId: string, provider: Provider): ProviderConnector;
  /** A sync service (a "replica") on `db`, syncing every account of both demo workspaces. */
  service(db: Database, replicaId: string, options?: Partial<SyncServiceOptions> & { feed?: ChangeFeed }): SyncService;
  /** Every conversation id the provider lists for the account, read page by page without the store. */
  providerConversationIds(workspaceId: string, provider: Provider): Promise<string[]>;
  close(): Promise<void>;
}

/** The demo's real simulators (two workspaces, three providers) and the connectors onto them. */
export async function startSyncHarness(): Promise<SyncHarness> {
  const { env } = loadConfig({ NODE_ENV: 'test', SWITCHBOARD_DEMO_CALL_SECONDS: '0.2', SWITCHBOARD_DATA_DIR: 'memory://' });
  const demo = await startDemoEnvironment(env);
  const transports: ProviderTransports = createProviderTransports();
  const registry = new WorkspaceRegistry(demo.workspaces, transports, { timeoutMs: 10_000 });
  const connector = (workspaceId: string, provider: Provider) => {
    const found = registry.get(workspaceId)?.connectors.get(provider);
    if (!found) throw new Error(`no ${provider} in ${workspaceId}`);
    return found;
  };
  return {
    demo,
    registry,
    connector,
    service: (db, replicaId, options = {}) =>
      new SyncService({
        database: db,
        writer: new ChangeWriter({ database: db, feed: options.feed ?? new InProcessFeed() }),
        accounts: () => registry.all().flatMap((workspace) => [...workspace.connectors.values()].map((each) => ({ workspaceId: workspace.id, connector: each }))),
        replicaId,
        ...options,
      }),
    async providerConversationIds(workspaceId, provider) {
      const ids: string[] = [];
      let after: { createdAt: Date; nativeId: string } | null = null;
      for (;;) {
        const page = await connector(workspaceId, provider).listConversations({ filter: {}, after, limit: 100 });
        ids.push(...page.items.map((item: Conversation) => item.nativeId));
        const last = page.items.at(-1);
        if (!page.hasMore || !last) return ids.sort();
        after = { createdAt: last.createdAt, nativeId: last.nativeId };
      }
    },
    async close() {
      await closeProviderTransports(transports);
      await demo.close();
    },
  };
}
