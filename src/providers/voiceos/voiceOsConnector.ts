import type { Agent, Conversation } from '../../domain/types.ts';
import type {
  ConversationCreateResult,
  ConversationListPage,
  ConversationListRequest,
  OffsetPage,
  OffsetRequest,
  ProviderConnector,
} from '../connector.ts';
import type { ConnectorOptions, VoiceOsCredentials } from '../credentials.ts';
import { UnsupportedByProviderError } from '../errors.ts';
import { UpstreamClient } from '../http.ts';
import { conversationPageSize, pageThroughConversations } from '../paging.ts';
import { VOICEOS_MAX_PAGE_SIZE, VoiceOsClient } from './client.ts';
import { inlineAgentConversationId, mapAgent, mapConversation } from './map.ts';
import { pagesCoveringWindow } from './pagesCoveringWindow.ts';
import { planConversationQuery } from './planConversationQuery.ts';

/**
 * VoiceOS, bound to one account's bearer token. VoiceOS reads only: it reports conversations
 * (each with its agent configuration and cost embedded) and agents; it has no prospects, no
 * transcripts, and no endpoint to start a conversation.
 */
export function createVoiceOsConnector(options: ConnectorOptions<VoiceOsCredentials>): ProviderConnector {
  const client = new VoiceOsClient(
    new UpstreamClient({
      provider: 'VOICEOS',
      baseUrl: options.baseUrl,
      authHeaders: { authorization: `Bearer ${options.credentials.token}` },
      dispatcher: options.dispatcher,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    }),
  );

  const getConversation = async (id: string): Promise<Conversation | null> => {
    const wire = id === '' ? null : await client.getConversation(id);
    return wire === null ? null : mapConversation(wire);
  };

  const getAgent = async (id: string): Promise<Agent | null> => {
    const conversationId = inlineAgentConversationId(id);
    if (conversationId !== null) return (await getConversation(conversationId))?.embeddedAgent ?? null;
    const wire = id === '' ? null : await client.getAgent(id);
    return wire === null ? null : mapAgent(wire);
  };

  return {
    provider: 'VOICEOS',
    capabilities: { createConversations: false, maxConversationsPerCreate: 0, prospects: false },

    async listConversations(request: ConversationListRequest): Promise<ConversationListPage> {
      const plan = planConversationQuery(request.filter);
      if (plan.matchesNothing) return { items: [], totalCount: request.withTotal ? 0 : null, hasMore: false };
      const pageSize = conversationPageSize(request, {
        maxPageSize: VOICEOS_MAX_PAGE_SIZE,
        filtersLocally: plan.localFilter !== null,
        cursorSlack: 1,
      });
      return pageThroughConversations({
        request,
        pageSize,
        localFilter: plan.localFilter,
        fetchPage: async (page, limit, createdBefore) => {
          const body = await client.listConversations({
            ...(plan.status === undefined ? {} : { status: plan.status }),
            ...(createdBefore === undefined ? {} : { createdBefore }),
            ...(plan.createdAfter === undefined ? {} : { createdAfter: plan.createdAfter }),
            page,
            limit,
          });
          return { items: body.conversations.map(mapConversation), totalCount: body.total };
        },
      });
    },

    /** VoiceOS has no batch get: one request per distinct id, in parallel. */
    async getConversations(nativeIds) {
      return fetchEachOnce(nativeIds, getConversation);
    },

    async listAgents(request: OffsetRequest): Promise<OffsetPage<Agent>> {
      if (request.limit <= 0) {
        const { total } = await client.listAgents({ page: 0, limit: 1 });
        return { items: [], totalCount: total };
      }
      const window = pagesCoveringWindow(request.offset, request.limit, VOICEOS_MAX_PAGE_SIZE);
      const pages = await Promise.all(window.pages.map((page) => client.listAgents({ page, limit: window.pageSize })));
      const rows = pages.flatMap((page) => page.agents).slice(window.skip, window.skip + request.limit);
      return { items: rows.map(mapAgent), totalCount: pages[0]?.total ?? 0 };
    },

    /** A `conversation:<id>` native id is an inline agent: it is read from that conversation. */
    /**
     * VoiceOS has no batch get. Accounts hold few saved agents, so one list request (a page of
     * 100) answers a whole batch; only ids beyond that page, and inline configurations, are
     * fetched one by one.
     */
    async getAgents(nativeIds) {
      const savedIds = nativeIds.filter((id) => id !== '' && inlineAgentConversationId(id) === null);
      const listed = new Map<string, Agent>();
      if (savedIds.length > 1) {
        const page = await client.listAgents({ page: 0, limit: VOICEOS_MAX_PAGE_SIZE });
        for (const wire of page.agents) listed.set(wire.id, mapAgent(wire));
      }
      return fetchEachOnce(nativeIds, async (id) => listed.get(id) ?? getAgent(id));
    },

    async listProspects() {
      return { items: [], totalCount: 0 };
    },

    async getProspects(nativeIds) {
      return nativeIds.map(() => null);
    },

    async createConversations(): Promise<ConversationCreateResult> {
      throw new UnsupportedByProviderError('VoiceOS has no API to start conversations', {
        provider: 'VOICEOS',
        endpoint: 'conversations.create',
      });
    },

    // Nothing to reconcile: this gateway never creates VoiceOS conversations.
    async findConversationsByRequestIds() {
      return new Map<string, Conversation>();
    },
  };
}

/** Fetches each distinct id once, in parallel, and answers in the order given. */
async function fetchEachOnce<T>(ids: readonly string[], fetchOne: (id: string) => Promise<T | null>): Promise<(T | null)[]> {
  const distinct = [...new Set(ids)];
  const results = await Promise.all(distinct.map(fetchOne));
  const byId = new Map(distinct.map((id, index) => [id, results[index] ?? null]));
  return ids.map((id) => byId.get(id) ?? null);
}
