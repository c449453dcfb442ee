import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.ts';
import { ErrorCode } from '../errors.ts';
import type { QueryResolvers } from '../generated/graphql.ts';
import { countSyncedRecords } from '../store/queries/syncedRecords.ts';
import { listSyncAccounts } from '../store/queries/syncAccounts.ts';
import type { LiveServices } from '../sync/liveServices.ts';

export function liveOf(context: GatewayContext): LiveServices {
  if (!context.live) throw new GraphQLError('The synced store is not configured on this gateway', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
  return context.live;
}

/** `syncStatus` and `webhookEndpoints`: freshness and intake of the synced store, for the caller's workspace. */
export const LiveQuery: Pick<QueryResolvers, 'syncStatus' | 'webhookEndpoints'> = {
  syncStatus: async (_, __, context) => {
    const live = liveOf(context);
    const accounts = new Map((await listSyncAccounts(live.database, context.workspace.id)).map((account) => [account.provider, account]));
    const now = Date.now();
    return Promise.all(
      [...context.workspace.connectors.keys()].map(async (provider) => {
        const account = accounts.get(provider);
        const counts = await countSyncedRecords(live.database, context.workspace.id, provider);
        const lastSuccessAt = account?.lastSuccessAt ?? null;
        return {
          provider,
          lastSuccessAt,
          lagSeconds: lastSuccessAt === null ? null : Math.max(0, Math.floor((now - lastSuccessAt.getTime()) / 1000)),
          records: { conversations: counts.Conversation, agents: counts.Agent, prospects: counts.Prospect },
          backfillComplete: account?.backfillDone ?? false,
          lastError: account?.lastError ?? null,
          lastErrorAt: account?.lastErrorAt ?? null,
        };
      }),
    );
  },
  webhookEndpoints: async (_, __, context) => {
    const live = liveOf(context);
    const token = await live.webhookToken(context.workspace.id);
    return [...context.workspace.connectors.keys()].map((provider) => ({
      provider,
      path: `/webhooks/${provider.toLowerCase()}/${token}`,
      signatureRequired: live.webhooks.signatureRequired(context.workspace.id, provider),
    }));
  },
};
