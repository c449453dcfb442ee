import type { Migration } from './migration.ts';

/**
 * An old key: `ORATION:` + the URL's host (a name or `[IPv6]`, with an optional `:port`) + `:` +
 * the Oration workspace id. Workspace ids are UUIDs, so the first colon-free segment after the
 * prefix (plus a numeric port) is the host.
 */
const OLD_KEY = String.raw`^ORATION:(\[[^]]*\]|[^]:[]*)(:[0-9]+)?:(.+)$`;
const NEW_KEY = 'ORATION:\\3';

/**
 * Budgets were keyed `ORATION:<host>:<workspace id>`, so one account reached at two addresses (a
 * demo simulator on a new port after each restart) had two budgets, each allowing the full limit.
 * Keys are now the account alone (`ORATION:<workspace id>`). Budget rows that collapse into one
 * key are merged keeping the most conservative figures: the lowest limits and remaining slots,
 * the latest block and observation, a probe if any row wanted one. Items follow their budget.
 */
export const budgetKeyByAccount: Migration = {
  version: 2,
  name: 'budget_key_by_account',
  sql: `
INSERT INTO budgets (budget_key, configured_limit, provider_limit, provider_remaining, observed_at,
                     blocked_until, probe_pending, poll_due_at, poll_owner, updated_at)
SELECT regexp_replace(budget_key, '${OLD_KEY}', '${NEW_KEY}'),
       min(configured_limit), min(provider_limit), min(provider_remaining), max(observed_at),
       max(blocked_until), bool_or(probe_pending), min(poll_due_at),
       -- The poll tick was claimed under an old key; whoever comes next claims it afresh.
       NULL, max(updated_at)
  FROM budgets
 WHERE budget_key ~ '${OLD_KEY}'
 GROUP BY 1
ON CONFLICT (budget_key) DO UPDATE SET
  configured_limit   = LEAST(budgets.configured_limit, EXCLUDED.configured_limit),
  provider_limit     = LEAST(budgets.provider_limit, EXCLUDED.provider_limit),
  provider_remaining = LEAST(budgets.provider_remaining, EXCLUDED.provider_remaining),
  observed_at        = GREATEST(budgets.observed_at, EXCLUDED.observed_at),
  blocked_until      = GREATEST(budgets.blocked_until, EXCLUDED.blocked_until),
  probe_pending      = budgets.probe_pending OR EXCLUDED.probe_pending,
  poll_due_at        = LEAST(budgets.poll_due_at, EXCLUDED.poll_due_at),
  poll_owner         = NULL,
  updated_at         = GREATEST(budgets.updated_at, EXCLUDED.updated_at);

DELETE FROM budgets WHERE budget_key ~ '${OLD_KEY}';

UPDATE batch_items SET budget_key = regexp_replace(budget_key, '${OLD_KEY}', '${NEW_KEY}')
 WHERE budget_key ~ '${OLD_KEY}';
`,
};
