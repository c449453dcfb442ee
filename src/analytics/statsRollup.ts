import { LAST_WRITABLE_MILLISECOND } from '../domain/preciseDate.ts';
import type { CostComponentKind } from '../domain/types.ts';
import type { Queryable } from '../store/database.ts';
import { filterConditions, type AnalyticsFilter } from './analyticsFilter.ts';
import { COMPONENTS_OF } from './jsonArraySql.ts';

/** The rollup's slot (migration 0005): every time zone's offset today is a whole number of them. */
export const SLOT_MS = 15 * 60 * 1000;

/** What a request may use and still be answered from `conversation_stats_rollup`. */
const ROLLUP_FILTER_FIELDS: ReadonlySet<string> = new Set(['providers', 'createdAfter', 'createdBefore'] satisfies (keyof AnalyticsFilter)[]);

/** One row per group key and currency, as the scan in `conversationStats` returns them. */
export type KeyCurrencyRow = Record<string, unknown> & {
  currency: string | null;
  conversations: number;
  talk: string;
  ring: string;
  without_talk: number;
  without_ring: number;
  without_cost: number;
  total: string | null;
  n: number;
};

/** One row per group key, currency and component kind: the sum of that kind's reported amounts. */
export type ComponentRow = Record<string, unknown> & { currency: string; kind: CostComponentKind; amount: string };

/**
 * Whether the rollup holds everything the request needs: provider and a time bucket as the only
 * keys, and providers and creation times as the only filters.
 */
export function rollupAnswers(request: { filter: AnalyticsFilter; dimensions: readonly string[] }): boolean {
  if (request.dimensions.some((dimension) => dimension !== 'PROVIDER')) return false;
  return Object.entries(request.filter).every(([field, value]) => value == null || ROLLUP_FILTER_FIELDS.has(field));
}

/**
 * The scan's rows from the rollup: its whole 15-minute slots inside the creation-time bounds, plus
 * the conversations themselves in the partial slots at the bounds (and, with no bounds, those with
 * no creation time), in one statement, so the rollup and the records are read in one snapshot
 * (both change in the same transactions). Component sums, when asked for, come the same way from
 * `conversation_stats_rollup_components` in a second statement (as the scan also takes two).
 * Null when a slot used would straddle a time bucket's edge in the zone (an offset that is not a
 * whole number of slots, as before 1970 in many zones): then the caller scans.
 */
export async function rollupRows(
  db: Queryable,
  request: { workspaceId: string; filter: AnalyticsFilter; byProvider: boolean; bucket: string | undefined; timeZone: string; withComponents: boolean },
): Promise<{ rows: KeyCurrencyRow[]; componentRows: ComponentRow[] } | null> {
  const totals = await readParts<KeyCurrencyRow>(db, request, {
    rollupTable: 'conversation_stats_rollup',
    rollupColumns: `s.conversations, s.talk_seconds AS talk, s.ring_seconds AS ring, s.without_talk, s.without_ring,
           s.without_cost, s.costed, s.cost_total`,
    recordColumns: `1 AS conversations, coalesce(r.talk_seconds, 0) AS talk, coalesce(r.ring_seconds, 0) AS ring,
           (r.talk_seconds IS NULL)::int AS without_talk, (r.ring_seconds IS NULL)::int AS without_ring,
           (r.cost_total IS NULL)::int AS without_cost, (r.cost_total IS NOT NULL)::int AS costed, coalesce(r.cost_total, 0) AS cost_total`,
    recordJoin: '',
    recordConditions: [],
    extraKeys: [],
    sums: `sum(conversations)::int AS conversations, sum(talk)::text AS talk, sum(ring)::text AS ring,
            sum(without_talk)::int AS without_talk, sum(without_ring)::int AS without_ring, sum(without_cost)::int AS without_cost, sum(cost_total)::text AS total, sum(costed)::int AS n`,
    // Rollup rows whose conversations all moved away or were deleted stay behind, at zero.
    present: 'sum(conversations) > 0',
  });
  if (!totals) return null;
  if (!request.withComponents) return { rows: totals, componentRows: [] };
  const components = await readParts<ComponentRow>(db, request, {
    rollupTable: 'conversation_stats_rollup_components',
    rollupColumns: 's.component_kind AS kind, s.amount, s.lines',
    recordColumns: `c.component->>'kind' AS kind, (c.component->'amount'->>'$decimal')::numeric AS amount, 1 AS lines`,
    recordJoin: `CROSS JOIN LATERAL (SELECT ${COMPONENTS_OF('r')} AS component) c`,
    recordConditions: ['r.cost_total IS NOT NULL', `c.component->'amount'->>'$decimal' IS NOT NULL`],
    extraKeys: ['kind'],
    sums: 'sum(amount)::text AS amount',
    present: 'sum(lines) > 0',
  });
  return components ? { rows: totals, componentRows: components } : null;
}

interface PartsQuery {
  rollupTable: string;
  /** Figures of a rollup row (`s`) and of one conversation (`r`, joined to `recordJoin`), same names and order. */
  rollupColumns: string;
  recordColumns: string;
  recordJoin: string;
  recordConditions: string[];
  /** Keys beyond the group's and the currency (the component kind). */
  extraKeys: string[];
  sums: string;
  /** When a group exists at all (a rollup row can be left at zero). */
  present: string;
}

async function readParts<Row extends Record<string, unknown>>(
  db: Queryable,
  request: { workspaceId: string; filter: AnalyticsFilter; byProvider: boolean; bucket: string | undefined; timeZone: string },
  query: PartsQuery,
): Promise<Row[] | null> {
  const params: unknown[] = [request.workspaceId];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const after = request.filter.createdAfter?.getTime();
  const before = request.filter.createdBefore?.getTime();
  // Whole slots: from the first starting after `createdAfter` (a conversation exactly at it is
  // excluded, so its own slot is partial) to the last ending at or before `createdBefore`.
  // Sub-millisecond digits of a bound never move it across a slot edge (edges are whole ms).
  const firstWhole = after === undefined ? undefined : Math.floor(after / SLOT_MS) * SLOT_MS + SLOT_MS;
  const endWhole = before === undefined ? undefined : Math.floor(before / SLOT_MS) * SLOT_MS;
  // A slot that would start past year 9999 is none (and could not be written as a bound).
  const noWholeSlot = firstWhole !== undefined && (firstWhole > LAST_WRITABLE_MILLISECOND || (endWhole !== undefined && firstWhole >= endWhole));

  const recordConditions = ['r.workspace_id = $1', `r.kind = 'Conversation'`, ...filterConditions(request.filter, params), ...query.recordConditions];
  const fromRecords = (edge: string) => `
    SELECT r.provider, r.cost_currency, r.created_at AS at, false AS whole_slot, ${query.recordColumns}
      FROM synced_records r ${query.recordJoin} WHERE ${[...recordConditions, edge].join(' AND ')}`;
  const parts: string[] = [];
  if (noWholeSlot) {
    parts.push(fromRecords('true'));
  } else {
    const slotConditions = ['s.workspace_id = $1', ...filterConditions({ providers: request.filter.providers }, params, 's')];
    if (firstWhole !== undefined) slotConditions.push(`s.slot >= ${param(new Date(firstWhole))}::timestamptz`);
    if (endWhole !== undefined) slotConditions.push(`s.slot < ${param(new Date(endWhole))}::timestamptz`);
    parts.push(`
    SELECT s.provider, s.cost_currency, s.slot AS at, true AS whole_slot, ${query.rollupColumns}
      FROM ${query.rollupTable} s WHERE ${slotConditions.join(' AND ')}`);
    // Separate arms, so each is a short range of the (workspace, created_at) index.
    if (firstWhole !== undefined) parts.push(fromRecords(`r.created_at < ${param(new Date(firstWhole))}::timestamptz`));
    if (endWhole !== undefined) parts.push(fromRecords(`r.created_at >= ${param(new Date(endWhole))}::timestamptz`));
    if (after === undefined && before === undefined) parts.push(fromRecords('r.created_at IS NULL'));
  }

  const keys: string[] = [];
  const names: string[] = [];
  if (request.byProvider) {
    keys.push('provider AS "PROVIDER"');
    names.push('"PROVIDER"');
  }
  let aligned = 'true';
  if (request.bucket) {
    const zone = `${param(request.timeZone)}::text`;
    const unit = `'${request.bucket.toLowerCase()}'`;
    keys.push(`date_trunc(${unit}, at, ${zone}) AS bucket`);
    names.push('bucket');
    // A whole slot is in one bucket when its first and last microseconds are.
    aligned = `bool_and(NOT whole_slot OR date_trunc(${unit}, at, ${zone}) = date_trunc(${unit}, at + interval '${SLOT_MS / 1000 - 1}.999999 seconds', ${zone}))`;
  }
  const { rows } = await db.query<Row & { aligned: boolean }>(
    `WITH parts AS (${parts.join('\n    UNION ALL')})
     SELECT ${keys.map((key) => `${key}, `).join('')}cost_currency AS currency, ${query.extraKeys.map((key) => `${key}, `).join('')}
            ${query.sums}, ${aligned} AS aligned
       FROM parts
      GROUP BY ${[...names, 'cost_currency', ...query.extraKeys].join(', ')}
     HAVING ${query.present}`,
    params,
  );
  if (rows.some((row) => !row.aligned)) return null;
  return rows;
}
