import type { Agent, Conversation } from '../../domain/types.ts';
import { millisecondUpperBound } from '../../domain/preciseDate.ts';
import type { BudgetDescriptor, ConversationListPage, ConversationListRequest, OffsetPage, OffsetRequest, WorkspaceConnector } from '../connector.ts';
import type { ConnectorOptions, OrationCredentials } from '../credentials.ts';
import type { UpstreamClient } from '../http.ts';
import { createUpstreamClient } from '../kit/createUpstreamClient.ts';
import { readOffsetWindow } from '../kit/offsetWindow.ts';
import { conversationPageSize, noConversations, pageThroughConversations } from '../paging.ts';
import { orationBudget } from './orationBudget.ts';
import { ORATION_MAX_PAGE_SIZE, OrationApi } from './orationApi.ts';
import { OrationCreator } from './orationCreator.ts';
import { pushDownFilter } from './pushDownFilter.ts';

export interface OrationConnectorOptions extends ConnectorOptions<OrationCredentials> {
  /** The account's concurrency limit as configured. @default ORATION_DEFAULT_CONCURRENCY (20) */
  concurrencyLimit?: number;
}

/**
 * The Oration connector for one workspace (`x-api-key` plus `x-workspace-id` on every request): a
 * reader of conversations and agents, and a creator. Oration has no prospects.
 */
export function createOrationConnector(options: OrationConnectorOptions): WorkspaceConnector {
  const client = createUpstreamClient({
    provider: 'ORATION',
    baseUrl: options.baseUrl,
    authHeaders: { 'x-api-key': options.credentials.apiKey, 'x-workspace-id': options.credentials.workspaceId },
    transport: options.transport,
    timeoutMs: options.timeoutMs,
  });
  return orationConnectorOver(client, orationBudget(options.credentials.workspaceId, options.concurrencyLimit));
}

function orationConnectorOver(client: UpstreamClient, budget: BudgetDescriptor): WorkspaceConnector {
  const api = new OrationApi(client);
  return {
    provider: 'ORATION',
    creator: new OrationCreator(api, budget),
    reportingTo: (observer) => orationConnectorOver(client.reportingTo(observer), budget),

    async listConversations(request: ConversationListRequest): Promise<ConversationListPage> {
      const plan = pushDownFilter(request.filter);
      if (plan.matchesNothing) return noConversations(request);
      return pageThroughConversations({
        request,
        pageSize: conversationPageSize(request, { maxPageSize: ORATION_MAX_PAGE_SIZE, filtersLocally: plan.localFilter !== null, cursorSlack: 1 }),
        localFilter: plan.localFilter,
        fetchPage: async (pageIndex, limit, createdBefore) => {
          const upperBound = createdBefore && millisecondUpperBound(createdBefore);
          const page = await api.conversationListPage({
            ...plan.query,
            ...(upperBound ? { createdBefore: upperBound.toISOString() } : {}),
            page: pageIndex + 1,
            limit,
          });
          return { items: page.items, totalCount: page.total };
        },
      });
    },

    async getConversations(nativeIds: readonly string[]): Promise<(Conversation | null)[]> {
      return (await api.getConversations(nativeIds)).values;
    },

    listAgents(request: OffsetRequest): Promise<OffsetPage<Agent>> {
      return readOffsetWindow(request, ORATION_MAX_PAGE_SIZE, (pageIndex, limit) => api.agentPage(pageIndex + 1, limit));
    },

    async getAgents(nativeIds: readonly string[]): Promise<(Agent | null)[]> {
      return (await api.getAgents(nativeIds)).values;
    },
  };
}
