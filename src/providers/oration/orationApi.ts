import { z } from 'zod';
import type { Agent, Conversation } from '../../domain/types.ts';
import type { RateLimitInfo } from '../connector.ts';
import type { UpstreamClient } from '../http.ts';
import { batchGetByIds, type BatchGetResult } from '../kit/batchGetByIds.ts';
import { freeFormAt } from '../kit/boundedJson.ts';
import type { CountedPage } from '../kit/offsetWindow.ts';
import { deferRecords } from '../kit/deferredRecords.ts';
import { ID_POSITION } from '../kit/recordFields.ts';
import {
  mapOrationConversation,
  ORATION_CONVERSATION_POSITION,
  orationAgentFields,
  orationConversationFields,
} from './map.ts';
import type { OrationConversationQuery } from './pushDownFilter.ts';
import {
  orationConversationPageSchema,
  orationCreateResponseSchema,
  pageSchema,
  type OrationCreateItemWire,
  type OrationCreateResponseWire,
} from './wire.ts';

/** A page as the reader first reads it: the envelope; each record is read by `deferRecords`. */
const orationDeferredPageSchema = pageSchema(z.unknown());

/** Largest `limit` and `ids` list the (assumed) list endpoints take. */
export const ORATION_MAX_PAGE_SIZE = 100;

/** A listed conversation's free-form JSON (`postCallMetadata`, `dynamicVariables` sent as an object), whose numbers keep their digits. */
const CONVERSATION_FREE_FORM_JSON = freeFormAt('results', ['postCallMetadata'], ['dynamicVariables']);

/** Conversations by id: the list endpoint's `ids` filter. */
const batchGetRequest = (ids: readonly string[]) =>
  ({
    method: 'GET',
    path: '/conversations',
    query: { ids: ids.join(','), limit: ORATION_MAX_PAGE_SIZE },
    endpoint: 'conversations.batchGet',
    freeFormJson: CONVERSATION_FREE_FORM_JSON,
  }) as const;

export type OrationListQuery = OrationConversationQuery & { createdBefore?: string; page: number; limit: number };

/**
 * The Oration endpoints the reader and the creator share, one method each, parsed with the wire
 * schemas and mapped to the domain. Pages are 1-based, as Oration counts them.
 */
export class OrationApi {
  readonly #client: UpstreamClient;

  constructor(client: UpstreamClient) {
    this.#client = client;
  }

  async conversationPage(query: OrationListQuery): Promise<CountedPage<Conversation>> {
    const response = await this.#client.sendOk({
      method: 'GET',
      path: '/conversations',
      query: { ...query },
      schema: orationConversationPageSchema,
      endpoint: 'conversations.list',
      freeFormJson: CONVERSATION_FREE_FORM_JSON,
    });
    return { items: response.data.results.map(mapOrationConversation), total: response.data.total ?? null };
  }

  /** A page for a list the reader answers: positions now, each field validated and mapped only when read. */
  async conversationListPage(query: OrationListQuery): Promise<CountedPage<Conversation>> {
    const response = await this.#client.sendOk({
      method: 'GET',
      path: '/conversations',
      query: { ...query },
      schema: orationDeferredPageSchema,
      endpoint: 'conversations.list',
      freeFormJson: CONVERSATION_FREE_FORM_JSON,
    });
    const items = deferRecords(response.data.results, {
      provider: 'ORATION',
      endpoint: 'conversations.list',
      listPath: 'results',
      fields: orationConversationFields,
      position: ORATION_CONVERSATION_POSITION,
    });
    return { items, total: response.data.total ?? null };
  }

  /** A page of agents, each field validated and mapped when read: one broken field fails alone, not its page. */
  async agentPage(page: number, limit: number): Promise<CountedPage<Agent>> {
    const response = await this.#client.sendOk({
      method: 'GET',
      path: '/agents',
      query: { page, limit },
      schema: orationDeferredPageSchema,
      endpoint: 'agents.list',
    });
    const items = deferRecords(response.data.results, { provider: 'ORATION', endpoint: 'agents.list', listPath: 'results', fields: orationAgentFields, position: ID_POSITION });
    return { items, total: response.data.total ?? null };
  }

  /**
   * Conversations by id through the list's `ids` filter, for the reader: each field validated and
   * mapped when read, as a listed conversation's, so a broken field fails alone.
   */
  getConversations(nativeIds: readonly string[]): Promise<BatchGetResult<Conversation>> {
    return batchGetByIds(nativeIds, {
      chunkSize: ORATION_MAX_PAGE_SIZE,
      idOf: (conversation) => conversation.nativeId,
      fetchChunk: async (ids) => {
        const response = await this.#client.sendOk({ ...batchGetRequest(ids), schema: orationDeferredPageSchema });
        const items = deferRecords(response.data.results, {
          provider: 'ORATION',
          endpoint: 'conversations.batchGet',
          listPath: 'results',
          fields: orationConversationFields,
          position: ID_POSITION,
        });
        return { items, rateLimit: response.rateLimit };
      },
    });
  }

  /**
   * The same, for the fan-out's status polls, with every answer's `X-RateLimit-*` news: whole
   * records validated at once, so a conversation the poll cannot read fails the poll (tried again
   * at the next) instead of a status read throwing midway through recording it.
   */
  getConversationsWhole(nativeIds: readonly string[]): Promise<BatchGetResult<Conversation>> {
    return batchGetByIds(nativeIds, {
      chunkSize: ORATION_MAX_PAGE_SIZE,
      idOf: (conversation) => conversation.nativeId,
      fetchChunk: async (ids) => {
        const response = await this.#client.sendOk({ ...batchGetRequest(ids), schema: orationConversationPageSchema });
        return { items: response.data.results.map(mapOrationConversation), rateLimit: response.rateLimit };
      },
    });
  }

  getAgents(nativeIds: readonly string[]): Promise<BatchGetResult<Agent>> {
    return batchGetByIds(nativeIds, {
      chunkSize: ORATION_MAX_PAGE_SIZE,
      idOf: (agent) => agent.nativeId,
      fetchChunk: async (ids) => {
        const response = await this.#client.sendOk({
          method: 'GET',
          path: '/agents',
          query: { ids: ids.join(','), limit: ORATION_MAX_PAGE_SIZE },
          schema: orationDeferredPageSchema,
          endpoint: 'agents.batchGet',
        });
        // Each agent's fields are validated and mapped when read: a conversation page asks for names.
        const items = deferRecords(response.data.results, {
          provider: 'ORATION',
          endpoint: 'agents.batchGet',
          listPath: 'results',
          fields: orationAgentFields,
          position: ID_POSITION,
        });
        return { items, rateLimit: response.rateLimit };
      },
    });
  }

  /** One create request: the conversations it created (mapped) and the refusals, as answered. */
  async create(
    conversations: OrationCreateItemWire[],
    notSentAfter: number | undefined,
  ): Promise<{ created: Conversation[]; errors: NonNullable<OrationCreateResponseWire['errors']>; rateLimit: RateLimitInfo | null }> {
    const response = await this.#client.sendOk({
      method: 'POST',
      path: '/conversations',
      body: { conversations },
      schema: orationCreateResponseSchema,
      endpoint: 'conversations.create',
      ...(notSentAfter !== undefined && { notSentAfter }),
    });
    return {
      created: (response.data.results ?? []).map(mapOrationConversation),
      errors: response.data.errors ?? [],
      rateLimit: response.rateLimit,
    };
  }
}
