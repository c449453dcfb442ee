import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { answerRouteFailure } from '../http/routeFailure.ts';
import type { UpgradeRefusal } from '../http/loopbackGuard.ts';
import type { FanoutService } from '../fanout/fanoutService.ts';
import type { QueryLimits } from '../limits/queryLimits.ts';
import type { WorkspaceRateLimit } from '../limits/workspaceRateLimit.ts';
import type { LoaderHooks } from '../loaders.ts';
import { attachSubscriptionServer } from '../subscriptions/subscriptionServer.ts';
import type { WorkspaceRegistry } from '../workspaces/workspaceRegistry.ts';
import type { LiveServices } from './liveServices.ts';
import { webhookErrorBody } from './webhookIntake.ts';
import { createWebhookRoute } from './webhookRoute.ts';

export interface LiveRoutes {
  /** Serves `/webhooks/...`; returns false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  close(): Promise<void>;
}

/**
 * What the synced store adds to the gateway's HTTP server: the webhook route and the
 * subscription WebSocket server (on the queries' own port and path). One call from `server.ts`.
 */
export function attachLiveRoutes(
  httpServer: Server,
  options: {
    live: LiveServices;
    registry: WorkspaceRegistry;
    fanout: FanoutService;
    limits: QueryLimits;
    /** Requests per workspace on this replica; each subscription started counts one. */
    rateLimit?: WorkspaceRateLimit;
    bodyIdleTimeoutMs: number;
    loaderHooks?: LoaderHooks;
    /** Introspection off: subscription refusals suggest none of the schema's names. */
    hideSuggestions: boolean;
    /** Told of a failure answered 500 (the log's record of what the answer does not say). */
    onUnexpectedError?: (error: unknown) => void;
    /** Why not to take a WebSocket upgrade at all, or null (demo mode on loopback: http/loopbackGuard.ts); all taken when absent. */
    refusesUpgrade?: (req: IncomingMessage) => UpgradeRefusal | null;
  },
): LiveRoutes {
  const webhooks = createWebhookRoute(options.live.webhooks, { bodyIdleTimeoutMs: options.bodyIdleTimeoutMs });
  const subscriptions = attachSubscriptionServer({
    httpServer,
    registry: options.registry,
    fanout: options.fanout,
    live: options.live,
    limits: options.limits,
    ...(options.rateLimit && { rateLimit: options.rateLimit }),
    hideSuggestions: options.hideSuggestions,
    ...(options.refusesUpgrade && { refusesUpgrade: options.refusesUpgrade }),
    ...(options.loaderHooks && { loaderHooks: options.loaderHooks }),
  });
  return {
    handle(req, res) {
      if (!(req.url ?? '').startsWith('/webhooks/')) return false;
      // A 503 the provider redelivers when the store was out of reach: a delivery processed before is answered as a duplicate.
      webhooks(req, res).catch((error: unknown) => answerRouteFailure(res, error, webhookErrorBody, options.onUnexpectedError));
      return true;
    },
    close: () => subscriptions.close(),
  };
}
