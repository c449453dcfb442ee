import { z } from 'zod';
import type { Agent, Conversation, Prospect, Provider } from '../../domain/types.ts';
import type {
  ConversationListPage,
  ConversationListRequest,
  OffsetPage,
  OffsetRequest,
  ProspectReader,
  WorkspaceConnector,
} from '../connector.ts';
import type { ConnectorOptions, TrataCredentials } from '../credentials.ts';
import { batchGetByIds } from '../kit/batchGetByIds.ts';
import type { UpstreamClient } from '../http.ts';
import { createBearerTokenClient } from '../kit/createUpstreamClient.ts';
import { readOffsetWindow, type CountedPage } from '../kit/offsetWindow.ts';
import { conversationPageSize, noConversations, pageThroughConversations } from '../paging.ts';
import { planTrataConversationQuery } from './conversationQuery.ts';
import { deferRecords } from '../kit/deferredRecords.ts';
import { TRATA_CONVERSATION_POSITION, trataAgentFields, trataConversationFields, trataProspectFields } from './map.ts';
import { ID_POSITION, type RecordFields, type RecordPosition } from '../kit/recordFields.ts';
import { trataCreatedBeforeBound } from './timestamps.ts';
import {
  trataPageSchema,
} from './wire.ts';

/** A page as the connector first reads it: the envelope; each record is read by `deferRecords`. */
const trataDeferredPageSchema = trataPageSchema(z.unknown());

/** Largest `limit` Trata's list endpoints accept, and so the largest `ids` batch (assumed). */
export const TRATA_MAX_PAGE_SIZE = 100;

/**
 * After a cursor, paging restarts at the cursor's millisecond (see `paging.ts`), so the cursor's
 * own conversation and any stored in the same instant come back and are dropped: four more cover
 * the cursor and three such neighbours.
 */
const CURSOR_SLACK = 4;

/**
 * A connector to Trata's API (`https://api.trata.ai`) for one account's bearer token: a reader of
 * conversations, agents and prospects. Trata stores conversations that happened elsewhere; it has
 * no endpoint that places a call, so it has no creator.
 */
export function createTrataConnector(options: ConnectorOptions<TrataCredentials>): WorkspaceConnector {
  return trataConnectorOver(createBearerTokenClient('TRATA', options));
}

function trataConnectorOver(client: UpstreamClient): WorkspaceConnector {
  const read = <W, T extends { provider: Provider; nativeId: string }>(path: string, endpoint: string, fields: RecordFields<W, T>) => {
    /** A page whose records are read field by field: positions checked now, each field when read. */
    const deferredPage = async (query: Record<string, string | number>, endpointName: string, position: RecordPosition): Promise<CountedPage<T>> => {
      const { data } = await client.sendOk({ method: 'GET', path, query, schema: trataDeferredPageSchema, endpoint: endpointName });
      return { items: deferRecords(data.data, { provider: 'TRATA', endpoint: endpointName, listPath: 'data', fields, position }), total: data.total };
    };
    return {
      /** One page read field by field, in the order `position` gives (conversations: newest first). */
      deferredPage: (query: Record<string, string | number>, position: RecordPosition) => deferredPage(query, `${endpoint}.list`, position),
      /**
       * Batch get through the list endpoint's `ids` parameter: one request per 100 distinct ids.
       * Each record's fields are validated and mapped when read: a conversation page asks for names.
       */
      byIds: async (nativeIds: readonly string[]): Promise<(T | null)[]> =>
        (
          await batchGetByIds<T>(nativeIds, {
            chunkSize: TRATA_MAX_PAGE_SIZE,
            idOf: (item) => item.nativeId,
            fetchChunk: async (ids) => deferredPage({ ids: ids.join(','), page: 1, limit: ids.length }, `${endpoint}.get`, ID_POSITION),
          })
        ).values,
    };
  };
  const conversations = read('/v1/conversations', 'conversations', trataConversationFields);
  const conversationListPage = (query: Record<string, string | number>) => conversations.deferredPage(query, TRATA_CONVERSATION_POSITION);
  const agents = read('/v1/agents', 'agents', trataAgentFields);
  const prospectPages = read('/v1/prospects', 'prospects', trataProspectFields);
  // A listed agent or prospect is read field by field too: one broken field fails alone, not its page. Trata counts pages from 1.
  const window = <T>(pages: { deferredPage: (query: Record<string, string | number>, position: RecordPosition) => Promise<CountedPage<T>> }, request: OffsetRequest) =>
    readOffsetWindow(request, TRATA_MAX_PAGE_SIZE, (pageIndex, limit) => pages.deferredPage({ page: pageIndex + 1, limit }, ID_POSITION));

  const prospects: ProspectReader = {
    listProspects: (request: OffsetRequest): Promise<OffsetPage<Prospect>> => window(prospectPages, request),
    getProspects: (nativeIds: readonly string[]): Promise<(Prospect | null)[]> => prospectPages.byIds(nativeIds),
  };

  return {
    provider: 'TRATA',
    prospects,
    reportingTo: (observer) => trataConnectorOver(client.reportingTo(observer)),

    listConversations(request: ConversationListRequest): Promise<ConversationListPage> {
      const { query, localFilter, matchesNothing } = planTrataConversationQuery(request.filter);
      if (matchesNothing) return Promise.resolve(noConversations(request));
      return pageThroughConversations({
        request,
        pageSize: conversationPageSize(request, { maxPageSize: TRATA_MAX_PAGE_SIZE, filtersLocally: localFilter !== null, cursorSlack: CURSOR_SLACK }),
        localFilter,
        fetchPage: async (pageIndex, pageSize, createdBefore) => {
          const upperBound = createdBefore && trataCreatedBeforeBound(createdBefore);
          const page = await conversationListPage({
            ...query,
            ...(upperBound ? { createdBefore: upperBound } : {}),
            page: pageIndex + 1,
            limit: pageSize,
          });
          return { items: page.items, totalCount: page.total };
        },
      });
    },
    getConversations: (nativeIds: readonly string[]): Promise<(Conversation | null)[]> => conversations.byIds(nativeIds),
    listAgents: (request: OffsetRequest): Promise<OffsetPage<Agent>> => window(agents, request),
    getAgents: (nativeIds: readonly string[]): Promise<(Agent | null)[]> => agents.byIds(nativeIds),
  };
}
