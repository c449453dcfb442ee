import type { z } from 'zod';
import type { Agent, Conversation, Prospect } from '../../domain/types.ts';
import type {
  ConversationCreateRequest,
  ConversationCreateResult,
  ConversationListPage,
  ConversationListRequest,
  OffsetPage,
  OffsetRequest,
  ProviderCapabilities,
  ProviderConnector,
} from '../connector.ts';
import type { ConnectorOptions, TrataCredentials } from '../credentials.ts';
import { UnsupportedByProviderError } from '../errors.ts';
import { UpstreamClient } from '../http.ts';
import { conversationPageSize, pageThroughConversations } from '../paging.ts';
import { planTrataConversationQuery } from './conversationQuery.ts';
import { fetchByIds } from './fetchByIds.ts';
import { mapTrataAgent, mapTrataConversation, mapTrataProspect } from './map.ts';
import { readOffsetWindow } from './offsetWindow.ts';
import { formatTrataTimestamp } from './timestamps.ts';
import {
  trataAgentPageSchema,
  trataConversationPageSchema,
  trataProspectPageSchema,
  type TrataPage,
} from './wire.ts';

/** Largest `limit` Trata's list endpoints accept, and so the largest `ids` batch (assumed). */
export const TRATA_MAX_PAGE_SIZE = 100;

const CAPABILITIES: ProviderCapabilities = {
  // Trata stores conversations that happened elsewhere; it has no endpoint that places a call.
  createConversations: false,
  maxConversationsPerCreate: 0,
  prospects: true,
};

/** A connector to Trata's API (`https://api.trata.ai`) for one account's bearer token. */
export function createTrataConnector(options: ConnectorOptions<TrataCredentials>): ProviderConnector {
  const client = new UpstreamClient({
    provider: 'TRATA',
    baseUrl: options.baseUrl,
    authHeaders: { authorization: `Bearer ${options.credentials.token}` },
    dispatcher: options.dispatcher,
    timeoutMs: options.timeoutMs,
  });
  return new TrataConnector(client);
}

/**
 * After a cursor, paging restarts at the cursor's millisecond (see `paging.ts`), so the cursor's
 * own conversation and any stored in the same instant come back and are dropped: four more cover
 * the cursor and three such neighbours.
 */
const CURSOR_SLACK = 4;

class TrataConnector implements ProviderConnector {
  readonly provider = 'TRATA' as const;
  readonly capabilities = CAPABILITIES;
  readonly #client: UpstreamClient;

  constructor(client: UpstreamClient) {
    this.#client = client;
  }

  async listConversations(request: ConversationListRequest): Promise<ConversationListPage> {
    const { query, localFilter } = planTrataConversationQuery(request.filter);
    return pageThroughConversations({
      request,
      pageSize: conversationPageSize(request, { maxPageSize: TRATA_MAX_PAGE_SIZE, filtersLocally: localFilter !== null, cursorSlack: CURSOR_SLACK }),
      localFilter,
      fetchPage: async (pageIndex, pageSize, createdBefore) => {
        const page = await this.#readPage('/v1/conversations', 'conversations.list', trataConversationPageSchema, mapTrataConversation, {
          ...query,
          ...(createdBefore ? { createdBefore: formatTrataTimestamp(createdBefore) } : {}),
          page: pageIndex + 1,
          limit: pageSize,
        });
        return { items: page.items, totalCount: page.total };
      },
    });
  }

  getConversations(nativeIds: readonly string[]): Promise<(Conversation | null)[]> {
    return this.#getByIds(nativeIds, '/v1/conversations', 'conversations.get', trataConversationPageSchema, mapTrataConversation);
  }

  listAgents(request: OffsetRequest): Promise<OffsetPage<Agent>> {
    return readOffsetWindow(request, TRATA_MAX_PAGE_SIZE, (page, limit) =>
      this.#readPage('/v1/agents', 'agents.list', trataAgentPageSchema, mapTrataAgent, { page, limit }),
    );
  }

  getAgents(nativeIds: readonly string[]): Promise<(Agent | null)[]> {
    return this.#getByIds(nativeIds, '/v1/agents', 'agents.get', trataAgentPageSchema, mapTrataAgent);
  }

  listProspects(request: OffsetRequest): Promise<OffsetPage<Prospect>> {
    return readOffsetWindow(request, TRATA_MAX_PAGE_SIZE, (page, limit) =>
      this.#readPage('/v1/prospects', 'prospects.list', trataProspectPageSchema, mapTrataProspect, { page, limit }),
    );
  }

  getProspects(nativeIds: readonly string[]): Promise<(Prospect | null)[]> {
    return this.#getByIds(nativeIds, '/v1/prospects', 'prospects.get', trataProspectPageSchema, mapTrataProspect);
  }

  async createConversations(_requests: readonly ConversationCreateRequest[]): Promise<ConversationCreateResult> {
    throw new UnsupportedByProviderError('Trata stores conversations but cannot place them', {
      provider: 'TRATA',
      endpoint: 'conversations.create',
    });
  }

  /** Nothing to reconcile: the gateway never creates Trata conversations. */
  async findConversationsByRequestIds(
    _requestIds: readonly string[],
    _createdAfter: Date,
  ): Promise<Map<string, Conversation>> {
    return new Map();
  }

  /** Batch get through a list endpoint's `ids` parameter: one request per 100 distinct ids. */
  #getByIds<W, T extends { nativeId: string }>(
    nativeIds: readonly string[],
    path: string,
    endpoint: string,
    schema: z.ZodType<TrataPage<W>>,
    map: (record: W) => T,
  ): Promise<(T | null)[]> {
    return fetchByIds(
      nativeIds,
      TRATA_MAX_PAGE_SIZE,
      async (ids) => (await this.#readPage(path, endpoint, schema, map, { ids: ids.join(','), page: 1, limit: ids.length })).items,
      (item) => item.nativeId,
    );
  }

  async #readPage<W, T>(
    path: string,
    endpoint: string,
    schema: z.ZodType<TrataPage<W>>,
    map: (record: W) => T,
    query: Record<string, string | number>,
  ): Promise<{ items: T[]; total: number }> {
    const { data } = await this.#client.sendOk({ method: 'GET', path, query, schema, endpoint });
    return { items: data.data.map(map), total: data.total };
  }
}
