import type { Queryable } from '../database.ts';
import type { BudgetRecord } from '../records.ts';
import { toBudgetRecord, type Row } from '../rowMappers.ts';

/** Creates the budget row, or updates its configured limit (configuration may change between runs). */
export async function upsertBudget(db: Queryable, budgetKey: string, configuredLimit: number, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO budgets (budget_key, configured_limit, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (budget_key) DO UPDATE SET configured_limit = EXCLUDED.configured_limit, updated_at = EXCLUDED.updated_at
     WHERE budgets.configured_limit <> EXCLUDED.configured_limit`,
    [budgetKey, configuredLimit, now],
  );
}

/**
 * Serializes everything that counts or changes this budget's held slots until the transaction
 * ends, across every replica on the database. Keyed by schema too, so isolated test schemas on one
 * server do not wait on each other.
 */
export async function lockBudget(tx: Queryable, budgetKey: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':budget:' || $1))`, [budgetKey]);
}

export async function findBudget(db: Queryable, budgetKey: string): Promise<BudgetRecord | null> {
  const { rows } = await db.query<Row>('SELECT * FROM budgets WHERE budget_key = $1', [budgetKey]);
  return rows[0] ? toBudgetRecord(rows[0]) : null;
}

/** The gateway's own view of a budget: what it holds now and what changed since the provider spoke. */
export interface BudgetUsage {
  queued: number;
  /** Sent, answer not recorded yet (held: the provider may have created them). */
  dispatching: number;
  /** Created and not seen ending (held). */
  created: number;
  /** Of `created`, those recorded after the provider's last word: not in its `remaining`. */
  createdSinceObservation: number;
  /** Conversations that held a slot at the provider's last word and ended after it. */
  endedSinceObservation: number;
}

/** Counts for `computeFreeSlots`; call it under `lockBudget` so the count cannot go stale. */
export async function readBudgetUsage(tx: Queryable, budgetKey: string, observedAt: Date | null): Promise<BudgetUsage> {
  const { rows } = await tx.query<Row>(
    `SELECT
       (SELECT count(*)::int FROM batch_items WHERE budget_key = $1 AND state = 'QUEUED') AS queued,
       count(*) FILTER (WHERE state = 'DISPATCHING')::int AS dispatching,
       count(*) FILTER (WHERE state = 'CREATED')::int AS created,
       count(*) FILTER (WHERE state = 'CREATED' AND $2::timestamptz IS NOT NULL AND created_at > $2::timestamptz)::int
         AS created_since,
       (SELECT count(*)::int FROM batch_items
         WHERE budget_key = $1 AND state = 'ENDED' AND $2::timestamptz IS NOT NULL AND ended_at > $2::timestamptz
           AND created_at <= $2::timestamptz AND coalesce(conversation_ended_at, ended_at) > $2::timestamptz) AS ended_since
     FROM batch_items WHERE budget_key = $1 AND state IN ('DISPATCHING', 'CREATED')`,
    [budgetKey, observedAt],
  );
  const row = rows[0] ?? {};
  return {
    queued: Number(row.queued ?? 0),
    dispatching: Number(row.dispatching ?? 0),
    created: Number(row.created ?? 0),
    createdSinceObservation: Number(row.created_since ?? 0),
    endedSinceObservation: Number(row.ended_since ?? 0),
  };
}

/**
 * Keeps what the provider said about the budget at `observedAt`. An older observation never
 * replaces a newer one (answers to concurrent requests arrive in any order). A successful answer
 * ends the probing that follows a 429.
 */
export async function recordBudgetObservation(
  db: Queryable,
  budgetKey: string,
  observation: { limit: number | null; remaining: number | null },
  observedAt: Date,
): Promise<void> {
  await db.query(
    `UPDATE budgets SET
       provider_limit = coalesce($2, provider_limit),
       provider_remaining = CASE WHEN $3::int IS NULL THEN provider_remaining ELSE $3::int END,
       observed_at = CASE WHEN $3::int IS NULL THEN observed_at ELSE $4::timestamptz END,
       probe_pending = false,
       updated_at = $4
     WHERE budget_key = $1 AND (observed_at IS NULL OR observed_at <= $4)`,
    [budgetKey, observation.limit, observation.remaining, observedAt],
  );
}

/**
 * Keeps what a status read (a poll) said about the budget, dated `now`, when the answer came. The
 * provider counted at some instant after `sentAt`, so conversations this gateway recorded as
 * created since `sentAt` may be missing from its count: they are taken off `remaining` (erring on
 * the safe side). Unlike a create answer, a read does not end the probing that follows a 429:
 * only a create that succeeds proves there is room for one.
 */
export async function recordStatusReadObservation(
  tx: Queryable,
  budgetKey: string,
  observation: { limit: number | null; remaining: number | null },
  sentAt: Date,
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE budgets SET
       provider_limit = coalesce($2, provider_limit),
       provider_remaining = CASE WHEN $3::int IS NULL THEN provider_remaining ELSE greatest(0, $3::int - (
         (SELECT count(*)::int FROM batch_items WHERE budget_key = $1 AND state = 'CREATED' AND created_at > $4::timestamptz)
         + (SELECT count(*)::int FROM batch_items
             WHERE budget_key = $1 AND state = 'ENDED' AND ended_at > $4::timestamptz AND created_at > $4::timestamptz)))
       END,
       observed_at = CASE WHEN $3::int IS NULL THEN observed_at ELSE $5::timestamptz END,
       updated_at = $5
     WHERE budget_key = $1 AND (observed_at IS NULL OR observed_at <= $5)`,
    [budgetKey, observation.limit, observation.remaining, sentAt, now],
  );
}

/**
 * After a 429: no create before `blockedUntil`, and the next create probes with one conversation.
 * The 429 is also the provider's newest word (no room at `now`), so an older successful answer
 * still on its way cannot end the probing.
 */
export async function recordRateLimited(db: Queryable, budgetKey: string, blockedUntil: Date, now: Date): Promise<void> {
  await db.query(
    `UPDATE budgets SET blocked_until = greatest(blocked_until, $2), probe_pending = true,
       provider_remaining = CASE WHEN observed_at IS NULL OR observed_at <= $3 THEN 0 ELSE provider_remaining END,
       observed_at = greatest(observed_at, $3), updated_at = $3
     WHERE budget_key = $1`,
    [budgetKey, blockedUntil, now],
  );
}

/** Holds back creates for a while without marking a probe (e.g. the provider could not be reached). */
export async function pauseBudget(db: Queryable, budgetKey: string, until: Date, now: Date): Promise<void> {
  await db.query(
    `UPDATE budgets SET blocked_until = greatest(blocked_until, $2), updated_at = $3 WHERE budget_key = $1`,
    [budgetKey, until, now],
  );
}

/**
 * Takes this polling round of a budget: succeeds for exactly one caller per round, whichever
 * replica asks first once the round is due, and moves the next round to `nextDueAt`.
 */
export async function claimPollRound(
  db: Queryable,
  budgetKey: string,
  owner: string,
  now: Date,
  nextDueAt: Date,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE budgets SET poll_due_at = $4, poll_owner = $2
     WHERE budget_key = $1 AND (poll_due_at IS NULL OR poll_due_at <= $3)`,
    [budgetKey, owner, now, nextDueAt],
  );
  return rowCount === 1;
}

/** Budgets with work left: something queued, in flight, or holding a slot. */
export async function listActiveBudgetKeys(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ budget_key: string }>(
    `SELECT DISTINCT budget_key FROM batch_items WHERE state IN ('QUEUED', 'DISPATCHING', 'CREATED')`,
  );
  return rows.map((row) => row.budget_key);
}
