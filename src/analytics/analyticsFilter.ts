import type { Decimal } from '../domain/decimal.ts';
import { atMicrosecond, formatInstant, LAST_WRITABLE_MILLISECOND } from '../domain/preciseDate.ts';
import type { EndReason, Sentiment } from '../domain/types.ts';
import { filterIdsOfType } from '../read/filterIds.ts';
import type { ConversationQueryFilter } from '../read/listConversations.ts';

/**
 * The filter BI totals and exports share: `conversations`' filter plus cost, durations,
 * sentiment and end reason. It extends `conversations`' own type, so a filter added there is one
 * here too. Values are already checked (enums by GraphQL or the export's parser).
 */
export interface AnalyticsFilter extends ConversationQueryFilter {
  endReasons?: readonly EndReason[] | null;
  sentiments?: readonly Sentiment[] | null;
  costMin?: Decimal | null;
  costMax?: Decimal | null;
  hasCost?: boolean | null;
  durationSecondsMin?: number | null;
  durationSecondsMax?: number | null;
  talkSecondsMin?: number | null;
  talkSecondsMax?: number | null;
}

/**
 * Appends the filter's conditions on `synced_records` (aliased `alias`) to `params`, and returns
 * them as SQL to AND into a WHERE. The caller has already restricted the rows to one workspace's
 * conversations. Lists go in as one JSON array parameter (the store's convention for both engines).
 */
export function filterConditions(filter: AnalyticsFilter, params: unknown[], alias = 'r'): string[] {
  const {
    providers, statuses, channels, endReasons, sentiments, agentIds, prospectIds, createdAfter, createdBefore,
    costMin, costMax, hasCost, durationSecondsMin, durationSecondsMax, talkSecondsMin, talkSecondsMax, ...unnamed
  } = filter;
  // A field added to the filter (here or to `conversations`') fails to compile until it is named above and given a condition.
  unnamed satisfies Record<string, never>;
  const conditions: string[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const inList = (column: string, values: readonly string[] | null | undefined) => {
    if (values == null) return;
    conditions.push(`${alias}.${column} IN (SELECT jsonb_array_elements_text(${param(JSON.stringify(values))}::text::jsonb))`);
  };
  inList('provider', providers);
  inList('status', statuses);
  inList('channel', channels);
  inList('end_reason', endReasons);
  inList('sentiment', sentiments);
  const refs = (ids: readonly string[] | null | undefined, type: 'Agent' | 'Prospect', column: string, field: string) => {
    if (ids == null) return;
    const pairs = filterIdsOfType(ids, type, field).map((parts) => `${parts.provider}:${parts.nativeId}`);
    conditions.push(`(${alias}.provider || ':' || ${alias}.${column}) IN (SELECT jsonb_array_elements_text(${param(JSON.stringify(pairs))}::text::jsonb))`);
  };
  refs(agentIds, 'Agent', 'agent_native_id', 'agentIds');
  refs(prospectIds, 'Prospect', 'prospect_native_id', 'prospectIds');
  // Both bounds exclusive, at full precision: a Date parameter would be cut to milliseconds, so a
  // Trata record given as its own `createdAfter` would count as after itself.
  if (createdAfter != null) {
    const after = timestampBound(createdAfter, 'floor');
    conditions.push(after === null ? 'false' : `${alias}.created_at > ${param(after)}::timestamptz`); // nothing is after year 9999
  }
  if (createdBefore != null) {
    const before = timestampBound(createdBefore, 'ceil');
    if (before !== null) conditions.push(`${alias}.created_at < ${param(before)}::timestamptz`); // else everything is before it
  }
  if (costMin != null) conditions.push(`${alias}.cost_total >= ${param(costMin.toString())}::numeric`);
  if (costMax != null) conditions.push(`${alias}.cost_total <= ${param(costMax.toString())}::numeric`);
  if (hasCost != null) conditions.push(`${alias}.cost_total IS ${hasCost ? 'NOT ' : ''}NULL`);
  const range = (column: string, min: number | null | undefined, max: number | null | undefined) => {
    if (min != null) conditions.push(`${alias}.${column} >= ${param(String(min))}::numeric`);
    if (max != null) conditions.push(`${alias}.${column} <= ${param(String(max))}::numeric`);
  };
  range('duration_seconds', durationSecondsMin, durationSecondsMax);
  range('talk_seconds', talkSecondsMin, talkSecondsMax);
  return conditions;
}

/**
 * A bound as `timestamptz` text, which holds microseconds. A bound finer than that (nanoseconds)
 * is moved to the microsecond that keeps the comparison exact over microsecond values:
 * `created_at > t` is `created_at > floor(t)`, and `created_at < t` is `created_at < ceil(t)`.
 * Null where the ceiling passes year 9999: every stored time is below it.
 */
export function timestampBound(instant: Date, rounding: 'floor' | 'ceil'): string | null {
  const bound = atMicrosecond(instant, rounding);
  return bound.getTime() > LAST_WRITABLE_MILLISECOND ? null : formatInstant(bound);
}
