import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ErrorCode } from '../errors.ts';
import { sendJson } from '../http/nodeHttpHandler.ts';
import type { FanoutService } from '../fanout/fanoutService.ts';
import type { QueryLimits } from '../limits/queryLimits.ts';
import type { LoaderHooks } from '../loaders.ts';
import { attachSubscriptionServer } from '../subscriptions/subscriptionServer.ts';
import type { WorkspaceRegistry } from '../workspaces/workspaceRegistry.ts';
import type { LiveServices } from './liveServices.ts';
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
  options: { live: LiveServices; registry: WorkspaceRegistry; fanout: FanoutService; limits: QueryLimits; bodyIdleTimeoutMs: number; loaderHooks?: LoaderHooks },
): LiveRoutes {
  const webhooks = createWebhookRoute(options.live.webhooks, { bodyIdleTimeoutMs: options.bodyIdleTimeoutMs });
  const subscriptions = attachSubscriptionServer({
    httpServer,
    registry: options.registry,
    fanout: options.fanout,
    live: options.live,
    limits: options.limits,
    ...(options.loaderHooks && { loaderHooks: options.loaderHooks }),
  });
  return {
    handle(req, res) {
      if (!(req.url ?? '').startsWith('/webhooks/')) return false;
      webhooks(req, res).catch(() => {
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' } });
        else res.destroy();
      });
      return true;
    },
    close: () => subscriptions.close(),
  };
}
