import type { Provider } from '../domain/types.ts';
import type { FanoutService } from '../fanout/fanoutService.ts';
import type { ChangeFeed } from '../feed/changeEvent.ts';
import { ChangeWriter } from '../feed/changeWriter.ts';
import { InProcessFeed } from '../feed/inProcessFeed.ts';
import type { Logger } from '../logger.ts';
import type { Database } from '../store/database.ts';
import { ensureWebhookToken } from '../store/queries/webhooks.ts';
import type { WorkspaceConfig } from '../workspaces/workspaceConfig.ts';
import type { WorkspaceRegistry } from '../workspaces/workspaceRegistry.ts';
import { SubscriptionRegistry } from '../subscriptions/subscriptionRegistry.ts';
import { SyncService } from './syncService.ts';
import { WebhookIntake } from './webhookIntake.ts';

export interface LiveSettings {
  sync: boolean;
  syncIntervalMs: number;
  retentionDays: number | null;
  keepTranscripts: boolean;
  subscriptionBuffer: number;
  maxSubscriptionsPerWorkspace: number;
}

export interface LiveServicesOptions {
  database: Database;
  /** PostgreSQL: the feed LISTENs on its own connection. Absent with PGlite (the feed stays in the process). */
  postgres?: { databaseUrl: string; connectTimeoutMs?: number; schema?: string };
  registry: WorkspaceRegistry;
  workspaces: readonly WorkspaceConfig[];
  fanout: FanoutService;
  replicaId: string;
  settings: LiveSettings;
  logger?: Logger;
}

/** The synced store's moving parts, for the HTTP routes, the resolvers and the subscriptions. */
export interface LiveServices {
  database: Database;
  feed: ChangeFeed;
  writer: ChangeWriter;
  sync: SyncService;
  webhooks: WebhookIntake;
  settings: LiveSettings;
  /** Open subscriptions of this replica: per-workspace cap, buffered and dropped events. */
  subscriptions: SubscriptionRegistry;
  /**
   * A workspace's webhook endpoint token (`/webhooks/<provider>/<token>`), made on first use and
   * kept. Not made at start: with the embedded store that would start the store's process (PGlite,
   * 100+ MiB while it runs) in every gateway before anything needs the store (BENCHMARKS.md).
   */
  webhookToken(workspaceId: string): Promise<string>;
  start(): void;
  close(): Promise<void>;
}

/**
 * Wires the change feed (in-process with PGlite, LISTEN/NOTIFY on PostgreSQL), the one change
 * writer, per-account sync and the webhook intake, and attaches the fan-out to the feed.
 */
export async function createLiveServices(options: LiveServicesOptions): Promise<LiveServices> {
  const { database, registry, fanout, settings, logger } = options;
  const onError = (error: unknown, during = 'change feed') =>
    logger?.warn(`live: ${during}`, { error: error instanceof Error ? error.message : String(error) });
  // `pg` is loaded only for PostgreSQL: a gateway on the embedded store never needs the driver.
  const feed: ChangeFeed = options.postgres
    ? await (await import('../feed/postgresFeed.ts')).PostgresFeed.open({ ...options.postgres, database, onError })
    : new InProcessFeed();
  const writer = new ChangeWriter({
    database,
    feed,
    keepTranscripts: settings.keepTranscripts,
    onRecordRefused: ({ workspaceId, provider, nativeId, issues }) =>
      logger?.warn(`live: a ${provider} conversation breaks the provider's documented shape and was not stored`, { workspace: workspaceId, provider, nativeId, issues }),
  });

  fanout.observe({
    conversationsRead: async (workspaceId, provider, conversations) => {
      await writer.writeConversations(workspaceId, provider, conversations);
    },
    batchesChanged: (workspaceId, batchIds) => writer.batchesChanged(workspaceId, batchIds),
  });

  const sync = new SyncService({
    database,
    writer,
    accounts: () => registry.all().flatMap((workspace) => [...workspace.connectors.values()].map((connector) => ({ workspaceId: workspace.id, connector }))),
    replicaId: options.replicaId,
    intervalMs: settings.syncIntervalMs,
    retentionDays: settings.retentionDays,
    onError,
  });

  const secrets = new Map(options.workspaces.map((workspace) => [workspace.id, workspace.webhooks?.signingSecrets ?? {}]));
  const webhooks = new WebhookIntake({
    database,
    registry,
    writer,
    fanout,
    signingSecretOf: (workspaceId, provider: Provider) => secrets.get(workspaceId)?.[provider.toLowerCase() as 'oration' | 'trata' | 'voiceos'],
    ...(logger && { logger }),
  });

  const webhookTokens = new Map<string, Promise<string>>();
  const webhookToken = (workspaceId: string): Promise<string> => {
    let token = webhookTokens.get(workspaceId);
    if (token === undefined) {
      token = ensureWebhookToken(database, workspaceId, new Date());
      webhookTokens.set(workspaceId, token);
      token.catch(() => webhookTokens.delete(workspaceId)); // a failed read is tried again next time
    }
    return token;
  };

  return {
    database,
    feed,
    writer,
    sync,
    webhooks,
    settings,
    subscriptions: new SubscriptionRegistry({ maxPerWorkspace: settings.maxSubscriptionsPerWorkspace }),
    webhookToken,
    start: () => {
      if (settings.sync) sync.start();
    },
    close: async () => {
      fanout.observe(null);
      await sync.stop();
      await feed.close();
    },
  };
}
