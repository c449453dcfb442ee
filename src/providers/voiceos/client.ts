import { z } from 'zod';
import { millisecondUpperBound } from '../../domain/preciseDate.ts';
import type { UpstreamClient } from '../http.ts';
import { freeFormAt } from '../kit/boundedJson.ts';
import {
  voiceOsAgentPageSchema,
  voiceOsConversationPageSchema,
  type VoiceOsStatusFilter,
} from './wire.ts';

/** A list page as the connector first reads it: the envelope; each record is read by `deferRecords` (voiceOsConnector.ts). */
const voiceOsConversationListPageSchema = voiceOsConversationPageSchema.extend({ conversations: z.array(z.unknown()) });
type VoiceOsConversationListPage = z.output<typeof voiceOsConversationListPageSchema>;

/** An agent page as a batch get first reads it: the envelope; each record is read by `deferRecords` (voiceOsConnector.ts). */
const voiceOsAgentDeferredPageSchema = voiceOsAgentPageSchema.extend({ agents: z.array(z.unknown()) });
type VoiceOsAgentDeferredPage = z.output<typeof voiceOsAgentDeferredPageSchema>;

/**
 * A record fetched by id, whatever it holds: `deferRecords` reads it field by field. Built once
 * here, not per request: making a zod schema costs more than most requests' parsing (a
 * `z.unknown()` per VoiceOS get was 50 us of a page-1 query's CPU, issue 9).
 */
const ANY_RECORD = z.unknown();

/** An agent configuration's `metadata`, saved or embedded in a conversation: free-form JSON whose numbers keep their digits. */
const LISTED_CONVERSATION_METADATA = freeFormAt('conversations', ['agent', 'metadata']);
const CONVERSATION_METADATA = freeFormAt(null, ['agent', 'metadata']);
const LISTED_AGENT_METADATA = freeFormAt('agents', ['metadata']);
const AGENT_METADATA = freeFormAt(null, ['metadata']);

/** The largest `limit` the list endpoints accept. */
export const VOICEOS_MAX_PAGE_SIZE = 100;

export interface ConversationListQuery {
  status?: VoiceOsStatusFilter;
  /** Exclusive, as documented. */
  createdBefore?: Date;
  /** Exclusive, as documented. */
  createdAfter?: Date;
  /** 0-based page index. */
  page: number;
  limit: number;
}

/** The VoiceOS endpoints, one method each, parsed with the wire schemas. */
export class VoiceOsClient {
  readonly #upstream: UpstreamClient;

  constructor(upstream: UpstreamClient) {
    this.#upstream = upstream;
  }

  /** A list page with each record's position checked; the rest of each record is validated when it is returned. */
  async listConversations(query: ConversationListQuery): Promise<VoiceOsConversationListPage> {
    const response = await this.#upstream.sendOk({
      method: 'GET',
      path: '/v1/conversations',
      query: {
        status: query.status,
        created_before: query.createdBefore && millisecondUpperBound(query.createdBefore)?.toISOString(),
        created_after: query.createdAfter?.toISOString(),
        page: query.page,
        limit: query.limit,
      },
      schema: voiceOsConversationListPageSchema,
      endpoint: 'conversations.list',
      freeFormJson: LISTED_CONVERSATION_METADATA,
    });
    return response.data;
  }

  /**
   * The conversation as VoiceOS answered it, each field left for `deferRecords` (voiceOsConnector.ts),
   * as a listed one is: a field that breaks the contract fails alone, not the whole conversation.
   * Null when VoiceOS does not know the id (404), or when no id could be it (`asPathSegment`).
   */
  async getConversationRecord(id: string): Promise<unknown> {
    const segment = asPathSegment(id);
    if (segment === null) return null;
    const response = await this.#upstream.send({
      method: 'GET',
      path: `/v1/conversations/${segment}`,
      schema: ANY_RECORD,
      endpoint: 'conversations.get',
      nullOn: [404],
      freeFormJson: CONVERSATION_METADATA,
    });
    return response.data;
  }

  /** A page of agents, each record left for `deferRecords` (voiceOsConnector.ts): a page or a batch get reads only the agents and fields it is asked for. */
  async listAgentRecords(query: { page: number; limit: number }): Promise<VoiceOsAgentDeferredPage> {
    const response = await this.#upstream.sendOk({
      method: 'GET',
      path: '/v1/agents',
      query: { page: query.page, limit: query.limit },
      schema: voiceOsAgentDeferredPageSchema,
      endpoint: 'agents.list',
      freeFormJson: LISTED_AGENT_METADATA,
    });
    return response.data;
  }

  /**
   * The agent as VoiceOS answered it, each field left for `deferRecords` (voiceOsConnector.ts).
   * Null when VoiceOS does not know the id (404), or when no id could be it (`asPathSegment`).
   */
  async getAgentRecord(id: string): Promise<unknown> {
    const segment = asPathSegment(id);
    if (segment === null) return null;
    const response = await this.#upstream.send({
      method: 'GET',
      path: `/v1/agents/${segment}`,
      schema: ANY_RECORD,
      endpoint: 'agents.get',
      nullOn: [404],
      freeFormJson: AGENT_METADATA,
    });
    return response.data;
  }
}

/**
 * An id as one segment of a request path, or null when it cannot be an id: `encodeURIComponent`
 * leaves `.` and `..` as they are, and a URL resolves them (`/v1/conversations/.` is the list), so
 * a forged id would read another endpoint; an empty one would too.
 */
function asPathSegment(id: string): string | null {
  return id === '' || id === '.' || id === '..' ? null : encodeURIComponent(id);
}
