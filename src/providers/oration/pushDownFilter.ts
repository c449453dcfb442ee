import type { Conversation, ConversationChannel, ConversationStatus } from '../../domain/types.ts';
import type { ConversationFilter } from '../connector.ts';
import { allOf, subMillisecondBoundChecks, type QueryPlan } from '../kit/queryPlan.ts';
import { ORATION_STATUS_BY_WIRE } from './map.ts';

/** Query parameters of the (assumed) `GET /conversations` filters, besides paging and `createdBefore`. */
export interface OrationConversationQuery {
  status?: string;
  conversationType?: 'chat' | 'telephony';
  agentId?: string;
  createdAfter?: string;
}

/** `matchesNothing`: a prospect filter, or only the WEB channel (Oration has neither). */
export type OrationFilterPlan = QueryPlan<OrationConversationQuery>;

const PHONE_CHANNELS: readonly ConversationChannel[] = ['PHONE_INBOUND', 'PHONE_OUTBOUND', 'PHONE'];

/**
 * Splits a domain filter into what Oration's list endpoint applies and what must be applied here.
 * The API takes one value per filter, so one status, one agent or channels of one
 * `conversationType` go upstream; several statuses or agents are filtered locally (one upstream
 * read instead of one per value, and paging stays a single ordered stream). An empty list means
 * "no constraint", like an absent one.
 */
export function pushDownFilter(filter: ConversationFilter): OrationFilterPlan {
  const query: OrationConversationQuery = {};
  const local: ((conversation: Conversation) => boolean)[] = [];
  let matchesNothing = false;

  const statuses = nonEmpty(filter.statuses);
  if (statuses) {
    const wireStatus = statuses.length === 1 ? wireStatusFor(statuses[0]) : null;
    if (wireStatus) query.status = wireStatus;
    else local.push((conversation) => statuses.includes(conversation.status.value));
  }

  const channels: readonly ConversationChannel[] | undefined = nonEmpty(filter.channels)?.filter(
    (channel) => channel !== 'WEB',
  );
  if (channels?.length === 0) matchesNothing = true; // Oration has no web calls
  if (channels && channels.length > 0) {
    const onlyChat = channels.every((channel) => channel === 'CHAT');
    const onlyPhone = channels.every((channel) => PHONE_CHANNELS.includes(channel));
    if (onlyChat) query.conversationType = 'chat';
    if (onlyPhone) query.conversationType = 'telephony';
    const exact = onlyChat || (onlyPhone && PHONE_CHANNELS.every((channel) => channels.includes(channel)));
    if (!exact) local.push((conversation) => channels.includes(conversation.channel.value));
  }

  const agents = nonEmpty(filter.agentNativeIds);
  if (agents?.length === 1 && agents[0] !== undefined) query.agentId = agents[0];
  else if (agents) local.push((conversation) => conversation.agentRef !== null && agents.includes(conversation.agentRef.nativeId));

  if (nonEmpty(filter.prospectNativeIds)) matchesNothing = true; // Oration has no prospects

  // Oration compares milliseconds: a bound finer than that is also checked here.
  if (filter.createdAfter) query.createdAfter = filter.createdAfter.toISOString();
  local.push(...subMillisecondBoundChecks(filter));

  return {
    query,
    localFilter: allOf(local),
    matchesNothing,
  };
}

/** The one wire status meaning `status`, or null when none does (UNKNOWN) or several could. */
function wireStatusFor(status: ConversationStatus | undefined): string | null {
  const wire = Object.entries(ORATION_STATUS_BY_WIRE).filter(([, domain]) => domain === status);
  return wire.length === 1 && wire[0] ? wire[0][0] : null;
}

function nonEmpty<T>(values: readonly T[] | undefined): readonly T[] | null {
  return values && values.length > 0 ? values : null;
}
