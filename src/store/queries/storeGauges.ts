import type { Queryable } from '../database.ts';
import { ITEM_STATES, type ItemState } from '../records.ts';
import type { Row } from '../rowMappers.ts';

/** One budget as the metrics show it. */
export interface BudgetGauge {
  budgetKey: string;
  /** The provider's stated limit when it gave one, else the configured one: what claims obey. */
  limit: number;
  /** Slots held now: items DISPATCHING (maybe created) or CREATED (not seen ending). */
  held: number;
}

/** Every budget's limit and held slots, across all replicas (the store is shared). */
export async function readBudgetGauges(db: Queryable): Promise<BudgetGauge[]> {
  const { rows } = await db.query<Row>(
    `SELECT b.budget_key, coalesce(b.provider_limit, b.configured_limit)::int AS budget_limit,
       (SELECT count(*)::int FROM batch_items i
         WHERE i.budget_key = b.budget_key AND i.state IN ('DISPATCHING', 'CREATED')) AS held
     FROM budgets b ORDER BY b.budget_key`,
  );
  return rows.map((row) => ({ budgetKey: String(row.budget_key), limit: Number(row.budget_limit), held: Number(row.held) }));
}

/** Batch items by state in the whole store, every state present (zero when none). */
export async function countItemsByState(db: Queryable): Promise<Record<ItemState, number>> {
  const { rows } = await db.query<Row>('SELECT state, count(*)::int AS n FROM batch_items GROUP BY state');
  const counts = Object.fromEntries(ITEM_STATES.map((state) => [state, 0])) as Record<ItemState, number>;
  for (const row of rows) counts[row.state as ItemState] = Number(row.n);
  return counts;
}
