import type { Conversation, ConversationChannel, ConversationStatus } from '../../domain/types.ts';
import type { ConversationFilter } from '../connector.ts';
import { allOf, subMillisecondBoundChecks, type QueryPlan } from '../kit/queryPlan.ts';
import type { VoiceOsStatusFilter } from './wire.ts';

/** What VoiceOS's list endpoint filters on. */
export interface VoiceOsConversationQuery {
  /** Sent as `status`; VoiceOS filters on one status at a time. */
  status?: VoiceOsStatusFilter;
  /** Sent as `created_after` (exclusive). */
  createdAfter?: Date;
}

/** How a domain filter splits between what VoiceOS applies and what the connector applies. */
export type ConversationQueryPlan = QueryPlan<VoiceOsConversationQuery>;

const STATUS_FILTERS = new Map<ConversationStatus, VoiceOsStatusFilter>([
  ['QUEUED', 'queued'],
  ['IN_PROGRESS', 'started'],
  ['ENDED', 'ended'],
]);

/** Every status `map.ts` can produce; asking for any other one matches nothing. */
const REACHABLE_STATUSES: ReadonlySet<ConversationStatus> = new Set(['QUEUED', 'IN_PROGRESS', 'ENDED', 'UNKNOWN']);

/**
 * Plans a list request. VoiceOS filters on a single `status` and on creation time; channels,
 * agents and several statuses at once are filtered here. An empty list in the filter means "no
 * constraint", like an absent one. VoiceOS has no prospects, so any prospect filter matches nothing.
 */
export function planConversationQuery(filter: ConversationFilter): ConversationQueryPlan {
  const nothing: ConversationQueryPlan = { query: {}, localFilter: null, matchesNothing: true };
  if (filter.prospectNativeIds?.length) return nothing;

  const checks: ((conversation: Conversation) => boolean)[] = [];
  let status: VoiceOsStatusFilter | undefined;

  if (filter.statuses?.length) {
    const wanted = new Set(filter.statuses.filter((candidate) => REACHABLE_STATUSES.has(candidate)));
    if (wanted.size === 0) return nothing;
    const [only] = wanted;
    const pushable = wanted.size === 1 && only !== undefined ? STATUS_FILTERS.get(only) : undefined;
    if (pushable) status = pushable;
    else checks.push((conversation) => wanted.has(conversation.status.value));
  }

  if (filter.channels?.length) {
    // Each channel means what the schema says on every provider and entry point: `PHONE` is a phone
    // call whose direction was not reported, which no VoiceOS call type is, not both directions.
    const wanted = new Set<ConversationChannel>(filter.channels);
    checks.push((conversation) => wanted.has(conversation.channel.value));
  }

  if (filter.agentNativeIds?.length) {
    const wanted = new Set(filter.agentNativeIds);
    checks.push((conversation) => conversation.agentRef !== null && wanted.has(conversation.agentRef.nativeId));
  }

  // VoiceOS compares milliseconds: a bound finer than that is also checked here.
  checks.push(...subMillisecondBoundChecks(filter));

  return {
    query: {
      ...(status === undefined ? {} : { status }),
      ...(filter.createdAfter === undefined ? {} : { createdAfter: filter.createdAfter }),
    },
    localFilter: allOf(checks),
    matchesNothing: false,
  };
}
