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
  ORATION_CONVERSATION_POSITION,
  orationAgentFields,
  orationConversationFields,
} from './map.ts';
import type { OrationConversationQuery } from './pushDownFilter.ts';
import {
  orationCreateResponseSchema,
  pageSchema,
  type OrationCreateItemWire,
  type OrationCreateResponseWire,
} from './wire.ts';

/** A page as the reader first reads it: the envelope; each record is read by `deferRecords`. */
const orationDeferredPageSchema = pageSchema(z.unknown());
/** A create's answer the same way: its refusals whole, each created conversation by `deferRecords`. */
const orationDeferredCreateResponseSchema = orationCreateResponseSchema.extend({ results: z.array(z.unknown()).nullish() });

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

  /**
   * A page of conversations: positions now, each field validated and mapped only when read. The
   * reader's lists and the fan-out's reconciliation read it: a field either does not use cannot
   * stop it (a garbled time once held a batch's reconciliation back).
   */
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
   * Conversations by id through the list's `ids` filter, for the reader and the fan-out's status
   * polls: each field validated and mapped when read, as a listed conversation's, so a broken field
   * fails alone. A poll reads a conversation's status and end, not the rest: one garbled time of
   * one conversation failed the whole chunk of a hundred, every round, and no slot was freed.
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
      schema: orationDeferredCreateResponseSchema,
      endpoint: 'conversations.create',
      ...(notSentAfter !== undefined && { notSentAfter }),
    });
    // Read field by field, as every other conversation: the fan-out reads a created one's tag,
    // status and end; a field it does not read, broken, must not make a create that happened look
    // like one whose outcome is unknown.
    const created = deferRecords(response.data.results ?? [], {
      provider: 'ORATION',
      endpoint: 'conversations.create',
      listPath: 'results',
      fields: orationConversationFields,
      position: ORATION_CONVERSATION_POSITION,
    });
    return { created, errors: response.data.errors ?? [], rateLimit: response.rateLimit };
  }
}
