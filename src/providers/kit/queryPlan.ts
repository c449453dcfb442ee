import { compareInstants, nanosOfMillisecond } from '../../domain/preciseDate.ts';
import type { Conversation } from '../../domain/types.ts';
import type { ConversationFilter } from '../connector.ts';

/** A check a connector applies to each mapped conversation, for what the provider cannot filter. */
export type LocalFilter = (conversation: Conversation) => boolean;

/**
 * How a domain `ConversationFilter` splits between the provider and the connector: `query` is
 * what the provider's list endpoint applies (its own parameter names and formats), `localFilter`
 * what the connector must check itself (null when everything was pushed down), and
 * `matchesNothing` says the filter asks for something this provider never has, so no request is
 * needed. `createdBefore` is left out of `query`: `pageThroughConversations` merges it with the
 * cursor. Each connector has one pure planner producing it, tested without I/O.
 */
export interface QueryPlan<Q> {
  query: Q;
  localFilter: LocalFilter | null;
  matchesNothing: boolean;
}

/** All of `checks`, or null when there are none (so the plan says "nothing to filter locally"). */
export function allOf(checks: readonly LocalFilter[]): LocalFilter | null {
  return checks.length === 0 ? null : (conversation) => checks.every((check) => check(conversation));
}

/**
 * For a provider whose time filters take milliseconds (Oration, VoiceOS): the checks of creation
 * bounds finer than that. Such a bound goes upstream widened to its millisecond (`createdAfter`
 * down, `createdBefore` up), so a record of that millisecond past the bound (a provider that
 * writes microseconds) comes back and is dropped here by the exact comparison. Whole-millisecond
 * bounds need none.
 */
export function subMillisecondBoundChecks(filter: Pick<ConversationFilter, 'createdAfter' | 'createdBefore'>): LocalFilter[] {
  const checks: LocalFilter[] = [];
  const { createdAfter, createdBefore } = filter;
  if (createdAfter && nanosOfMillisecond(createdAfter) !== 0) checks.push((conversation) => compareInstants(conversation.createdAt, createdAfter) > 0);
  if (createdBefore && nanosOfMillisecond(createdBefore) !== 0) checks.push((conversation) => compareInstants(conversation.createdAt, createdBefore) < 0);
  return checks;
}
