import type { Agent, Conversation } from '../../domain/types.ts';
import type { ConversationListPage, ConversationListRequest, OffsetPage, OffsetRequest, WorkspaceConnector } from '../connector.ts';
import type { ConnectorOptions, VoiceOsCredentials } from '../credentials.ts';
import type { UpstreamClient } from '../http.ts';
import { createBearerTokenClient } from '../kit/createUpstreamClient.ts';
import { fetchEachOnce } from '../kit/fetchEachOnce.ts';
import { readOffsetWindow } from '../kit/offsetWindow.ts';
import { conversationPageSize, noConversations, pageThroughConversations } from '../paging.ts';
import { VOICEOS_MAX_PAGE_SIZE, VoiceOsClient } from './client.ts';
import { deferRecords } from '../kit/deferredRecords.ts';
import { ID_POSITION } from '../kit/recordFields.ts';
import {
  inlineAgentConversationId,
  VOICEOS_CONVERSATION_POSITION,
  voiceOsAgentFields,
  voiceOsConversationFields,
} from './map.ts';
import { planConversationQuery } from './planConversationQuery.ts';

/**
 * VoiceOS, bound to one account's bearer token. VoiceOS reads only: it reports conversations
 * (each with its agent configuration and cost embedded) and agents; it has no prospects, no
 * transcripts, and no endpoint to start a conversation.
 */
export function createVoiceOsConnector(options: ConnectorOptions<VoiceOsCredentials>): WorkspaceConnector {
  return voiceOsConnectorOver(createBearerTokenClient('VOICEOS', options));
}

function voiceOsConnectorOver(upstream: UpstreamClient): WorkspaceConnector {
  const client = new VoiceOsClient(upstream);

  const getConversation = async (id: string): Promise<Conversation | null> => {
    const record = id === '' ? null : await client.getConversationRecord(id);
    if (record === null || record === undefined) return null;
    const [conversation] = deferRecords([record], {
      provider: 'VOICEOS',
      endpoint: 'conversations.get',
      listPath: null,
      fields: voiceOsConversationFields,
      position: VOICEOS_CONVERSATION_POSITION,
    });
    return conversation ?? null;
  };

  /** Agents as VoiceOS answered them, each field validated when read: a broken field fails alone, not its agent or its page. */
  const deferAgents = (records: readonly unknown[], endpoint: string, listPath: string | null) =>
    deferRecords(records, { provider: 'VOICEOS', endpoint, listPath, fields: voiceOsAgentFields, position: ID_POSITION });

  const getAgent = async (id: string): Promise<Agent | null> => {
    const conversationId = inlineAgentConversationId(id);
    if (conversationId !== null) return (await getConversation(conversationId))?.embeddedAgent ?? null;
    const record = id === '' ? null : await client.getAgentRecord(id);
    return record === null || record === undefined ? null : (deferAgents([record], 'agents.get', null)[0] ?? null);
  };

  return {
    provider: 'VOICEOS',
    reportingTo: (observer) => voiceOsConnectorOver(upstream.reportingTo(observer)),

    async listConversations(request: ConversationListRequest): Promise<ConversationListPage> {
      const plan = planConversationQuery(request.filter);
      if (plan.matchesNothing) return noConversations(request);
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
            ...plan.query,
            ...(createdBefore === undefined ? {} : { createdBefore }),
            page,
            limit,
          });
          const items = deferRecords(body.conversations, {
            provider: 'VOICEOS',
            endpoint: 'conversations.list',
            listPath: 'conversations',
            fields: voiceOsConversationFields,
            position: VOICEOS_CONVERSATION_POSITION,
          });
          return { items, totalCount: body.total };
        },
      });
    },

    /** VoiceOS has no batch get: one request per distinct id, in parallel. */
    async getConversations(nativeIds) {
      return fetchEachOnce(nativeIds, getConversation);
    },

    async listAgents(request: OffsetRequest): Promise<OffsetPage<Agent>> {
      // VoiceOS counts pages from 0, as the kit does.
      return readOffsetWindow(request, VOICEOS_MAX_PAGE_SIZE, async (page, limit) => {
        const body = await client.listAgentRecords({ page, limit });
        return { items: deferAgents(body.agents, 'agents.list', 'agents'), total: body.total };
      });
    },

    /**
     * A `conversation:<id>` native id is an inline agent: it is read from that conversation.
     * VoiceOS has no batch get. Accounts hold few saved agents, so one list request (a page of
     * 100) answers a whole batch; only ids beyond that page, and inline configurations, are
     * fetched one by one.
     */
    async getAgents(nativeIds) {
      const savedIds = nativeIds.filter((id) => id !== '' && inlineAgentConversationId(id) === null);
      const listed = new Map<string, Agent>();
      if (savedIds.length > 1) {
        const page = await client.listAgentRecords({ page: 0, limit: VOICEOS_MAX_PAGE_SIZE });
        for (const agent of deferAgents(page.agents, 'agents.list', 'agents')) listed.set(agent.nativeId, agent);
      }
      return fetchEachOnce(nativeIds, async (id) => listed.get(id) ?? getAgent(id));
    },
  };
}
