import type { Conversation, ConversationChannel } from '../../domain/types.ts';
import type { ConversationFilter } from '../connector.ts';
import { trataCreatedAfterBound } from './timestamps.ts';
import { trataSourceTypeFor } from './map.ts';
import { allOf, type QueryPlan } from '../kit/queryPlan.ts';

/** Query parameters of `GET /v1/conversations` that narrow the result (paging aside). */
export interface TrataConversationQuery {
  agentId?: string;
  prospectId?: string;
  sourceType?: string;
  createdAfter?: string;
}

/** `matchesNothing`: only a lower time bound at the last microsecond a Trata timestamp can write. */
export type TrataConversationQueryPlan = QueryPlan<TrataConversationQuery>;

/**
 * Splits a domain filter into what Trata's list endpoint applies (one agent, one prospect, one
 * source type, a lower time bound) and what the connector must check itself (several agents,
 * prospects or channels, and statuses, which are derived from the record and never stored).
 * `createdBefore` is left to `pageThroughConversations`, which merges it with the cursor.
 * An empty list in the filter means "no constraint", like an absent one.
 */
export function planTrataConversationQuery(filter: ConversationFilter): TrataConversationQueryPlan {
  const query: TrataConversationQuery = {};
  const checks: ((conversation: Conversation) => boolean)[] = [];

  const agentIds = distinct(filter.agentNativeIds);
  if (agentIds.length === 1) query.agentId = agentIds[0];
  else if (agentIds.length > 1) checks.push((c) => c.agentRef !== null && agentIds.includes(c.agentRef.nativeId));

  const prospectIds = distinct(filter.prospectNativeIds);
  if (prospectIds.length === 1) query.prospectId = prospectIds[0];
  else if (prospectIds.length > 1) checks.push((c) => c.prospectRef !== null && prospectIds.includes(c.prospectRef.nativeId));

  const channels = distinct<ConversationChannel>(filter.channels);
  const onlySourceType = channels.length === 1 && channels[0] !== undefined ? trataSourceTypeFor(channels[0]) : null;
  if (onlySourceType !== null) query.sourceType = onlySourceType;
  else if (channels.length > 0) checks.push((c) => channels.includes(c.channel.value));

  const statuses = distinct(filter.statuses);
  if (statuses.length > 0) checks.push((c) => statuses.includes(c.status.value));

  // Trata's `createdAfter` is inclusive; the gateway's is strict (an incremental pull from a
  // record's own `createdAt` must not return that record again).
  const createdAfter = filter.createdAfter && trataCreatedAfterBound(filter.createdAfter);
  if (createdAfter) query.createdAfter = createdAfter;

  return {
    query,
    localFilter: allOf(checks),
    matchesNothing: createdAfter === null,
  };
}

function distinct<T>(values: readonly T[] | undefined): T[] {
  return [...new Set(values ?? [])];
}
