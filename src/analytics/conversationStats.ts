import { Decimal } from '../domain/decimal.ts';
import { toGlobalId } from '../domain/globalId.ts';
import type { ConversationChannel, ConversationStatus, CostComponentKind, EndReason, Provider } from '../domain/types.ts';
import type { Queryable } from '../store/database.ts';
import { BadUserInputError } from '../errors.ts';
import { filterConditions, type AnalyticsFilter } from './analyticsFilter.ts';
import { COMPONENTS_OF } from './jsonArraySql.ts';
import { rollupAnswers, rollupRows, type ComponentRow, type KeyCurrencyRow } from './statsRollup.ts';
import { checkTimeZone } from './timeZone.ts';

export const STATS_DIMENSIONS = ['PROVIDER', 'AGENT', 'PROSPECT_STATUS', 'CHANNEL', 'STATUS', 'END_REASON', 'COST_COMPONENT'] as const;
export const TIME_BUCKETS = ['HOUR', 'DAY', 'WEEK', 'MONTH'] as const;
export type StatsGroupBy = (typeof STATS_DIMENSIONS)[number] | (typeof TIME_BUCKETS)[number];

/** Keys typed as the domain's (the store's generated columns hold its values), so they are GraphQL's enums too. */
export interface StatsGroup {
  provider: Provider | null;
  agentId: string | null;
  prospectStatus: string | null;
  channel: ConversationChannel | null;
  status: ConversationStatus | null;
  endReason: EndReason | null;
  costComponent: CostComponentKind | null;
  bucketStart: Date | null;
  bucketLabel: string | null;
  conversations: number;
  talkSeconds: Decimal;
  ringSeconds: Decimal;
  conversationsWithoutTalkSeconds: number;
  conversationsWithoutRingSeconds: number;
  conversationsWithoutCost: number;
  costs: { currency: string; total: Decimal; conversations: number; components: { kind: CostComponentKind; amount: Decimal }[] }[];
}

/** The SQL expression of each plain dimension, over `synced_records r` (and `c`, a cost component). */
const DIMENSION_SQL: Record<(typeof STATS_DIMENSIONS)[number], string> = {
  PROVIDER: 'r.provider',
  AGENT: `r.provider || ':' || r.agent_native_id`,
  PROSPECT_STATUS: 'r.prospect_status',
  CHANNEL: 'r.channel',
  STATUS: 'r.status',
  END_REASON: 'r.end_reason',
  COST_COMPONENT: `c.component->>'kind'`,
};

/**
 * Totals over one workspace's stored conversations, in SQL: one scan for counts, durations and
 * costs per currency, and (only when asked for) one for component amounts, merged by key. Grouped
 * by provider and time alone, the same rows come from the rollups instead (`statsRollup.ts`).
 * Sums are `numeric` in the database and `Decimal` here, so nothing is ever a float.
 */
export async function conversationStats(
  db: Queryable,
  request: {
    workspaceId: string;
    filter: AnalyticsFilter;
    groupBy: readonly StatsGroupBy[];
    timeZone: string;
    withComponents: boolean;
    /** False: scan the records even where the rollup could answer (tests compare the two). @default true */
    useRollup?: boolean;
  },
): Promise<StatsGroup[]> {
  const groupBy = [...new Set(request.groupBy)];
  const buckets = groupBy.filter((each): each is (typeof TIME_BUCKETS)[number] => (TIME_BUCKETS as readonly string[]).includes(each));
  if (buckets.length > 1) throw new BadUserInputError(`groupBy: at most one time bucket, got ${buckets.join(', ')}`, { field: 'groupBy' });
  checkTimeZone(request.timeZone);
  const dimensions = groupBy.filter((each): each is (typeof STATS_DIMENSIONS)[number] => (STATS_DIMENSIONS as readonly string[]).includes(each));
  const byComponent = dimensions.includes('COST_COMPONENT');

  const params: unknown[] = [request.workspaceId];
  const where = ['r.workspace_id = $1', `r.kind = 'Conversation'`, ...filterConditions(request.filter, params)].join(' AND ');
  const keys = dimensions.map((dimension) => `${DIMENSION_SQL[dimension]} AS "${dimension}"`);
  const bucket = buckets[0];
  if (bucket) {
    params.push(request.timeZone);
    const zone = `$${params.length}::text`;
    keys.push(`date_trunc('${bucket.toLowerCase()}', r.created_at, ${zone}) AS bucket`);
  }
  const keyNames = [...dimensions.map((dimension) => `"${dimension}"`), ...(bucket ? ['bucket'] : [])];
  const from = byComponent
    ? `synced_records r LEFT JOIN LATERAL (SELECT ${COMPONENTS_OF('r')} AS component) c ON true`
    : 'synced_records r';
  const keyList = keys.length > 0 ? `${keys.join(', ')},` : '';
  // With COST_COMPONENT a conversation is one row per component, so it is counted once per group,
  // and each group's costs are that component's amounts only.
  const costAmount = byComponent ? `(c.component->'amount'->>'$decimal')::numeric` : 'r.cost_total';

  // Provider and time buckets alone are read from the rollup (migration 0005) when it can answer
  // exactly; anything else, or a zone whose buckets split a slot, scans the records.
  const fromRollup = request.useRollup !== false && rollupAnswers({ filter: request.filter, dimensions })
    ? await rollupRows(db, {
        workspaceId: request.workspaceId,
        filter: request.filter,
        byProvider: dimensions.includes('PROVIDER'),
        bucket,
        timeZone: request.timeZone,
        withComponents: request.withComponents,
      })
    : null;
  // One scan: per key and currency (a conversation has one), merged per key below with exact sums.
  const scanned = fromRollup?.rows ?? (await db.query<KeyCurrencyRow>(
    `SELECT ${keyList} r.cost_currency AS currency,
            ${byComponent ? 'count(DISTINCT (r.provider, r.native_id))' : 'count(*)'}::int AS conversations,
            coalesce(sum(r.talk_seconds), 0)::text AS talk, coalesce(sum(r.ring_seconds), 0)::text AS ring,
            count(*) FILTER (WHERE r.talk_seconds IS NULL)::int AS without_talk,
            count(*) FILTER (WHERE r.ring_seconds IS NULL)::int AS without_ring,
            count(*) FILTER (WHERE r.cost_total IS NULL)::int AS without_cost,
            (sum(${costAmount}) FILTER (WHERE r.cost_total IS NOT NULL))::text AS total,
            count(${costAmount}) FILTER (WHERE r.cost_total IS NOT NULL)::int AS n
       FROM ${from} WHERE ${where}
      GROUP BY ${[...keyNames, 'r.cost_currency'].join(', ')}`,
    params,
  )).rows;
  const componentRows = fromRollup?.componentRows ?? (request.withComponents
    ? (
        await db.query<ComponentRow>(
          `SELECT ${keyList}
                  r.cost_currency AS currency, c.component->>'kind' AS kind, sum((c.component->'amount'->>'$decimal')::numeric)::text AS amount
             FROM synced_records r CROSS JOIN LATERAL (SELECT ${COMPONENTS_OF('r')} AS component) c
            WHERE ${where} AND r.cost_total IS NOT NULL AND c.component->'amount'->>'$decimal' IS NOT NULL
            GROUP BY ${[...keyNames, 'r.cost_currency', `c.component->>'kind'`].join(', ')}`,
          params,
        )
      ).rows
    : []);

  const keyOf = (row: Record<string, unknown>) =>
    JSON.stringify(keyNames.map((name) => {
      const value = row[name.replaceAll('"', '')];
      return value instanceof Date ? value.toISOString() : value ?? null;
    }));
  const groups = new Map<string, StatsGroup>();
  const localLabel = localLabeller(request.timeZone);
  for (const row of scanned) {
    const key = keyOf(row);
    let group = groups.get(key);
    if (!group) {
      // A conversation stored without a creation time has no bucket (null), not an invalid date.
      const bucketStart = bucket && row.bucket != null ? toDate(row.bucket) : null;
      const agent = row.AGENT as string | null | undefined;
      const agentSeparator = agent?.indexOf(':') ?? -1;
      group = {
        provider: (row.PROVIDER as Provider | undefined) ?? null,
        agentId: agent && agentSeparator > 0
          ? toGlobalId({ provider: agent.slice(0, agentSeparator) as Provider, type: 'Agent', nativeId: agent.slice(agentSeparator + 1) })
          : null,
        prospectStatus: (row.PROSPECT_STATUS as string | undefined) ?? null,
        channel: (row.CHANNEL as ConversationChannel | undefined) ?? null,
        status: (row.STATUS as ConversationStatus | undefined) ?? null,
        endReason: (row.END_REASON as EndReason | undefined) ?? null,
        costComponent: (row.COST_COMPONENT as CostComponentKind | undefined) ?? null,
        bucketStart,
        bucketLabel: bucketStart ? localLabel(bucketStart) : null,
        conversations: 0,
        talkSeconds: Decimal.ZERO,
        ringSeconds: Decimal.ZERO,
        conversationsWithoutTalkSeconds: 0,
        conversationsWithoutRingSeconds: 0,
        conversationsWithoutCost: 0,
        costs: [],
      };
      groups.set(key, group);
    }
    group.conversations += row.conversations;
    group.talkSeconds = group.talkSeconds.plus(decimal(row.talk));
    group.ringSeconds = group.ringSeconds.plus(decimal(row.ring));
    group.conversationsWithoutTalkSeconds += row.without_talk;
    group.conversationsWithoutRingSeconds += row.without_ring;
    group.conversationsWithoutCost += row.without_cost;
    if (row.currency !== null && row.total !== null && row.n > 0) {
      group.costs.push({ currency: row.currency, total: decimal(row.total), conversations: row.n, components: [] });
    }
  }
  for (const row of componentRows) {
    const cost = groups.get(keyOf(row))?.costs.find((each) => each.currency === row.currency);
    cost?.components.push({ kind: row.kind, amount: decimal(row.amount) });
  }
  const ordered = [...groups.values()];
  // With no groupBy there is exactly one group, the whole selection, even when nothing matches:
  // BI tools expect a row of zeros, not none. With a groupBy, no match is no group.
  if (keyNames.length === 0 && ordered.length === 0) ordered.push(wholeSelectionWithoutMatches());
  for (const group of ordered) {
    // Without trailing zeros: a sum's scale would otherwise depend on the path (a rollup keeps the
    // scale of amounts since deleted or changed), and the value is the same.
    group.talkSeconds = group.talkSeconds.trimmed();
    group.ringSeconds = group.ringSeconds.trimmed();
    group.costs.sort((a, b) => a.currency.localeCompare(b.currency));
    for (const cost of group.costs) {
      cost.total = cost.total.trimmed();
      cost.components.sort((a, b) => a.kind.localeCompare(b.kind));
      for (const component of cost.components) component.amount = component.amount.trimmed();
    }
  }
  return ordered.sort(compareGroups);
}

/** The one group of a query without groupBy whose filter matched nothing: zero counts and sums. */
function wholeSelectionWithoutMatches(): StatsGroup {
  return {
    provider: null, agentId: null, prospectStatus: null, channel: null, status: null, endReason: null, costComponent: null,
    bucketStart: null, bucketLabel: null,
    conversations: 0, talkSeconds: Decimal.ZERO, ringSeconds: Decimal.ZERO,
    conversationsWithoutTalkSeconds: 0, conversationsWithoutRingSeconds: 0, conversationsWithoutCost: 0, costs: [],
  };
}

function decimal(text: string): Decimal {
  const parsed = Decimal.parse(text);
  if (parsed === null) throw new Error(`The store returned a sum that is not a decimal: ${text}`);
  return parsed;
}

function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

/**
 * Labels bucket starts as on the wall clock of `timeZone` (`2026-03-08T00:00`). One formatter per
 * request: building an `Intl.DateTimeFormat` costs far more than formatting with it, and an hourly
 * grouping over a month has thousands of buckets.
 */
function localLabeller(timeZone: string): (instant: Date) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return (instant) => {
    const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
    return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
  };
}

const ORDER: (keyof StatsGroup)[] = ['bucketStart', 'provider', 'agentId', 'prospectStatus', 'channel', 'status', 'endReason', 'costComponent'];

/** Oldest bucket first, then the dimensions in text order, nulls last. */
function compareGroups(a: StatsGroup, b: StatsGroup): number {
  for (const key of ORDER) {
    const x = a[key];
    const y = b[key];
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    if (x instanceof Date && y instanceof Date) {
      if (x.getTime() !== y.getTime()) return x.getTime() - y.getTime();
      continue;
    }
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}
