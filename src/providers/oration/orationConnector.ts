import type { z } from 'zod';
import type { Agent, Conversation, Prospect } from '../../domain/types.ts';
import {
  REQUEST_ID_VARIABLE,
  type ConversationCreateOutcome,
  type ConversationCreateRequest,
  type CreateOptions,
  type ConversationCreateResult,
  type ConversationListPage,
  type ConversationListRequest,
  type ConversationStatusRead,
  type OffsetPage,
  type OffsetRequest,
  type ProviderCapabilities,
  type ProviderConnector,
  type RateLimitInfo,
} from '../connector.ts';
import type { ConnectorOptions, OrationCredentials } from '../credentials.ts';
import { UpstreamClient } from '../http.ts';
import { conversationPageSize, pageThroughConversations, type ProviderPage } from '../paging.ts';
import { mapOrationAgent, mapOrationConversation } from './map.ts';
import { pushDownFilter, type OrationConversationQuery } from './pushDownFilter.ts';
import {
  orationAgentPageSchema,
  orationConversationPageSchema,
  orationCreateResponseSchema,
  type OrationCreateItemWire,
} from './wire.ts';

/** Largest `limit` and `ids` list the (assumed) list endpoints take. */
const MAX_PAGE_SIZE = 100;

export const ORATION_CAPABILITIES: ProviderCapabilities = {
  createConversations: true,
  // The document sets no maximum; 50 keeps one request well inside any plausible body limit
  // while still covering two full budgets of the documented 20.
  maxConversationsPerCreate: 50,
  prospects: false,
};

/** The Oration connector for one workspace: `x-api-key` plus `x-workspace-id` on every request. */
export function createOrationConnector(options: ConnectorOptions<OrationCredentials>): ProviderConnector {
  const client = new UpstreamClient({
    provider: 'ORATION',
    baseUrl: options.baseUrl,
    authHeaders: { 'x-api-key': options.credentials.apiKey, 'x-workspace-id': options.credentials.workspaceId },
    dispatcher: options.dispatcher,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  return new OrationConnector(client);
}

class OrationConnector implements ProviderConnector {
  readonly provider = 'ORATION' as const;
  readonly capabilities = ORATION_CAPABILITIES;
  readonly #client: UpstreamClient;

  constructor(client: UpstreamClient) {
    this.#client = client;
  }

  async listConversations(request: ConversationListRequest): Promise<ConversationListPage> {
    const plan = pushDownFilter(request.filter);
    if (plan.matchesNothing) return { items: [], totalCount: request.withTotal ? 0 : null, hasMore: false };
    const pageSize = conversationPageSize(request, { maxPageSize: MAX_PAGE_SIZE, filtersLocally: plan.localFilter !== null, cursorSlack: 1 });
    return pageThroughConversations({
      request,
      pageSize,
      localFilter: plan.localFilter,
      fetchPage: (pageIndex, size, createdBefore) =>
        this.#conversationPage({
          ...plan.query,
          ...(createdBefore ? { createdBefore: createdBefore.toISOString() } : {}),
          page: pageIndex + 1,
          limit: size,
        }),
    });
  }

  async getConversations(nativeIds: readonly string[]): Promise<(Conversation | null)[]> {
    return (await this.getConversationsWithRateLimit(nativeIds)).conversations;
  }

  /** Every Oration answer carries `X-RateLimit-Limit` / `-Remaining`, status reads included. */
  async getConversationsWithRateLimit(nativeIds: readonly string[]): Promise<ConversationStatusRead> {
    const { values, rateLimit } = await this.#batchGet(nativeIds, {
      path: '/conversations',
      schema: orationConversationPageSchema,
      endpoint: 'conversations.batchGet',
      map: mapOrationConversation,
    });
    return { conversations: values, rateLimit };
  }

  async listAgents(request: OffsetRequest): Promise<OffsetPage<Agent>> {
    // Oration pages by number; read the pages of size `limit` that cover the offset window.
    const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, request.limit));
    const firstPage = Math.floor(request.offset / pageSize) + 1;
    const lastPage = request.limit > 0 ? Math.floor((request.offset + request.limit - 1) / pageSize) + 1 : firstPage;
    const agents: Agent[] = [];
    let total: number | null = null;
    for (let page = firstPage; page <= lastPage; page++) {
      const response = await this.#client.sendOk({
        method: 'GET',
        path: '/agents',
        query: { page, limit: pageSize },
        schema: orationAgentPageSchema,
        endpoint: 'agents.list',
      });
      agents.push(...response.data.results.map(mapOrationAgent));
      total = response.data.total ?? null;
      if (response.data.results.length < pageSize) break;
    }
    const skip = request.offset - (firstPage - 1) * pageSize;
    return {
      items: agents.slice(skip, skip + Math.max(0, request.limit)),
      // Without a reported total, count what is known to exist (exact once a short page was read).
      totalCount: total ?? (firstPage - 1) * pageSize + agents.length,
    };
  }

  async getAgents(nativeIds: readonly string[]): Promise<(Agent | null)[]> {
    const { values } = await this.#batchGet(nativeIds, {
      path: '/agents',
      schema: orationAgentPageSchema,
      endpoint: 'agents.batchGet',
      map: mapOrationAgent,
    });
    return values;
  }

  /**
   * Fetches entities by id through a list endpoint's `ids` filter: one request per 100 ids,
   * answers in the order asked (null for ids Oration does not know), with the tightest budget
   * news any of the answers carried.
   */
  async #batchGet<W extends { id: string }, T>(
    nativeIds: readonly string[],
    endpoint: { path: string; schema: z.ZodType<{ results: W[] }>; endpoint: string; map: (wire: W) => T },
  ): Promise<{ values: (T | null)[]; rateLimit: RateLimitInfo | null }> {
    const found = new Map<string, T>();
    const rateLimits: RateLimitInfo[] = [];
    await Promise.all(
      idChunks(nativeIds).map(async (chunk) => {
        const response = await this.#client.sendOk({
          method: 'GET',
          path: endpoint.path,
          query: { ids: chunk.join(','), limit: MAX_PAGE_SIZE },
          schema: endpoint.schema,
          endpoint: endpoint.endpoint,
        });
        for (const wire of response.data.results) found.set(wire.id, endpoint.map(wire));
        if (response.rateLimit) rateLimits.push(response.rateLimit);
      }),
    );
    return { values: nativeIds.map((id) => found.get(id) ?? null), rateLimit: leastRoom(rateLimits) };
  }

  async listProspects(): Promise<OffsetPage<Prospect>> {
    return { items: [], totalCount: 0 }; // Oration has no prospects
  }

  async getProspects(nativeIds: readonly string[]): Promise<(Prospect | null)[]> {
    return nativeIds.map(() => null);
  }

  /**
   * Sends the whole slice in one request, each item tagged with its request id in
   * `dynamicVariables`, and matches the created conversations back by that echoed tag, so a
   * response with fewer (or reordered) results still attributes each one correctly.
   */
  async createConversations(requests: readonly ConversationCreateRequest[], options: CreateOptions = {}): Promise<ConversationCreateResult> {
    if (requests.length === 0) return { outcomes: [], rateLimit: null };
    if (requests.length > ORATION_CAPABILITIES.maxConversationsPerCreate) {
      // Splitting here could lose what the first request created if a later one failed.
      throw new RangeError(
        `Oration takes at most ${ORATION_CAPABILITIES.maxConversationsPerCreate} conversations per create; got ${requests.length}`,
      );
    }
    const response = await this.#client.sendOk({
      method: 'POST',
      path: '/conversations',
      body: { conversations: requests.map(toCreateItem) },
      schema: orationCreateResponseSchema,
      endpoint: 'conversations.create',
      ...(options.notSentAfter !== undefined && { notSentAfter: options.notSentAfter }),
    });

    const created = new Map<string, Conversation>();
    for (const wire of response.data.results ?? []) {
      const conversation = mapOrationConversation(wire);
      const requestId = requestIdOf(conversation);
      if (requestId !== null && !created.has(requestId)) created.set(requestId, conversation);
    }
    const errors = (response.data.errors ?? []).map((item) => item.error ?? 'no reason given');
    const refused = requests.filter((request) => !created.has(request.requestId));
    // Errors carry no index; assumed in request order, they pair up only when the counts agree.
    const pairErrors = errors.length === refused.length;
    const outcomes = requests.map((request): ConversationCreateOutcome => {
      const conversation = created.get(request.requestId);
      if (conversation) return { requestId: request.requestId, ok: true, conversation };
      const error = pairErrors ? errors[refused.indexOf(request)] : undefined;
      return { requestId: request.requestId, ok: false, reason: refusalReason(error, errors) };
    });
    return { outcomes, rateLimit: response.rateLimit };
  }

  async findConversationsByRequestIds(
    requestIds: readonly string[],
    createdAfter: Date,
  ): Promise<Map<string, Conversation>> {
    const wanted = new Set(requestIds);
    const found = new Map<string, Conversation>();
    for (let page = 1; found.size < wanted.size; page++) {
      const { items, totalCount } = await this.#conversationPage({
        createdAfter: createdAfter.toISOString(),
        page,
        limit: MAX_PAGE_SIZE,
      });
      for (const conversation of items) {
        const requestId = requestIdOf(conversation);
        if (requestId !== null && wanted.has(requestId) && !found.has(requestId)) found.set(requestId, conversation);
      }
      const exhausted = items.length < MAX_PAGE_SIZE || (totalCount !== null && page * MAX_PAGE_SIZE >= totalCount);
      if (exhausted) break;
    }
    return found;
  }

  async #conversationPage(
    query: OrationConversationQuery & { createdBefore?: string; page: number; limit: number },
  ): Promise<ProviderPage> {
    const response = await this.#client.sendOk({
      method: 'GET',
      path: '/conversations',
      query: { ...query },
      schema: orationConversationPageSchema,
      endpoint: 'conversations.list',
    });
    return { items: response.data.results.map(mapOrationConversation), totalCount: response.data.total ?? null };
  }
}

function toCreateItem(request: ConversationCreateRequest): OrationCreateItemWire {
  return {
    agentId: request.agentNativeId,
    conversationType: request.channel === 'PHONE_OUTBOUND' ? 'telephony' : 'chat',
    ...(request.toNumber === null ? {} : { toPhoneNumber: request.toNumber }),
    ...(request.sipTrunkAddress === null ? {} : { sipTrunkAddress: request.sipTrunkAddress }),
    dynamicVariables: { ...request.dynamicVariables, [REQUEST_ID_VARIABLE]: request.requestId },
  };
}

function requestIdOf(conversation: Conversation): string | null {
  const value = conversation.dynamicVariables?.[REQUEST_ID_VARIABLE];
  return typeof value === 'string' ? value : null;
}

function refusalReason(error: string | undefined, allErrors: string[]): string {
  if (error !== undefined) return `Oration refused the conversation: ${error}`;
  if (allErrors.length === 0) return 'Oration created no conversation for this request and gave no reason';
  return `Oration created no conversation for this request; its errors: ${allErrors.join('; ')}`;
}

/** Of several answers' budget news, the one that leaves the least room (the safe one to believe). */
function leastRoom(rateLimits: readonly RateLimitInfo[]): RateLimitInfo | null {
  let least: RateLimitInfo | null = null;
  for (const info of rateLimits) {
    if (least === null || (info.remaining ?? Infinity) < (least.remaining ?? Infinity)) least = info;
  }
  return least;
}

/** Distinct ids in chunks the `ids` parameter takes; ids that cannot travel in it are left out (null). */
function idChunks(nativeIds: readonly string[]): string[][] {
  const ids = [...new Set(nativeIds)].filter((id) => id !== '' && !id.includes(','));
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += MAX_PAGE_SIZE) chunks.push(ids.slice(i, i + MAX_PAGE_SIZE));
  return chunks;
}
