import type { Migration } from './migration.ts';

/** The key of a rollup row, in the one order every writer locks rows in (see the flush below). */
const KEY = 'workspace_id, slot, provider, cost_currency';

/** A statement's net change per rollup key, from its transition tables (`sign` 1 adds, -1 takes away). */
const DELTAS = (source: string, sign: 1 | -1) => `
  SELECT workspace_id, date_bin('15 minutes', created_at, timestamptz '1970-01-01 00:00:00+00') AS slot, provider, cost_currency,
         ${sign} * count(*) AS conversations,
         ${sign} * coalesce(sum(talk_seconds), 0) AS talk_seconds,
         ${sign} * coalesce(sum(ring_seconds), 0) AS ring_seconds,
         ${sign} * count(*) FILTER (WHERE cost_total IS NULL) AS without_cost,
         ${sign} * count(cost_total) AS costed,
         ${sign} * coalesce(sum(cost_total), 0) AS cost_total
    FROM ${source}
   WHERE kind = 'Conversation' AND created_at IS NOT NULL
   GROUP BY ${KEY}`;

const COMPONENT_KEY = `${KEY}, component_kind`;

/**
 * A statement's net change of component amounts per rollup key and component kind: the amounts a
 * scan sums (a reported total, an amount present), from records whose components are an array.
 */
const COMPONENT_DELTAS = (source: string, sign: 1 | -1) => `
  SELECT workspace_id, date_bin('15 minutes', created_at, timestamptz '1970-01-01 00:00:00+00') AS slot, provider, cost_currency,
         c.component->>'kind' AS component_kind,
         ${sign} * sum((c.component->'amount'->>'$decimal')::numeric) AS amount,
         ${sign} * count(*) AS lines
    FROM ${source} CROSS JOIN LATERAL jsonb_array_elements(
           CASE WHEN jsonb_typeof(record->'cost'->'components') = 'array' THEN record->'cost'->'components' ELSE '[]'::jsonb END) AS c(component)
   WHERE kind = 'Conversation' AND created_at IS NOT NULL AND cost_total IS NOT NULL
     AND c.component->'amount'->>'$decimal' IS NOT NULL
   GROUP BY ${COMPONENT_KEY}`;

/**
 * The collect function's statements for the component amounts, one per kind of statement, and the
 * apply function's: migration 0006 replaces both functions and keeps these as they are.
 */
export const COLLECT_COMPONENTS_INSERTED = `    INSERT INTO conversation_stats_rollup_components_pending
    SELECT pg_current_xact_id(), d.* FROM (${COMPONENT_DELTAS('new_rows', 1)}) d;`;
export const COLLECT_COMPONENTS_DELETED = `    INSERT INTO conversation_stats_rollup_components_pending
    SELECT pg_current_xact_id(), d.* FROM (${COMPONENT_DELTAS('old_rows', -1)}) d;`;
export const COLLECT_COMPONENTS_UPDATED = `    INSERT INTO conversation_stats_rollup_components_pending
    SELECT pg_current_xact_id(), ${COMPONENT_KEY}, sum(amount), sum(lines)
      FROM (${COMPONENT_DELTAS('old_rows', -1)} UNION ALL ${COMPONENT_DELTAS('new_rows', 1)}) d
     GROUP BY ${COMPONENT_KEY}
    HAVING sum(amount) <> 0 OR sum(lines) <> 0;`;
export const APPLY_COMPONENTS = `  -- Then the components, in their key order: every writer takes the two tables in this order.
  WITH moved AS (
    DELETE FROM conversation_stats_rollup_components_pending WHERE xact = NEW.xact
    RETURNING ${COMPONENT_KEY}, amount, lines
  )
  INSERT INTO conversation_stats_rollup_components AS r (${COMPONENT_KEY}, amount, lines)
  SELECT ${COMPONENT_KEY}, sum(amount), sum(lines)
    FROM moved
   GROUP BY ${COMPONENT_KEY}
   ORDER BY ${COMPONENT_KEY}
  ON CONFLICT ON CONSTRAINT conversation_stats_rollup_components_key DO UPDATE SET
    amount = r.amount + EXCLUDED.amount,
    lines  = r.lines + EXCLUDED.lines;`;

/**
 * Totals of conversations per workspace, provider, cost currency and 15-minute UTC slot, kept in
 * the same transaction as `synced_records`, so `conversationStats` grouped by provider and a time
 * bucket reads some 50,000 rows instead of scanning a million (`src/analytics/statsRollup.ts`).
 * Every time zone's offset is a whole number of 15 minutes today, so a local hour, day, week or
 * month is a union of slots; the reader checks that for each slot it uses and scans otherwise.
 *
 * How a write reaches the rollup without deadlocks or lost updates:
 * - Statement triggers on `synced_records` (insert, update, delete; transition tables) add the
 *   statement's net change per key (new rows minus old rows; a change of status alone nets to
 *   nothing) to `conversation_stats_rollup_pending`, rows of this transaction only: no other
 *   writer touches them, so nobody waits there.
 * - The first such statement of a transaction also inserts its id into
 *   `conversation_stats_rollup_flush`, whose DEFERRED constraint trigger runs once, at COMMIT: it
 *   moves the transaction's pending rows into the rollup with one INSERT … ON CONFLICT DO UPDATE
 *   (`n = n + delta`: re-read under the row lock, so no update is lost) in key order. Rollup rows
 *   are only ever locked there, in that order, by transactions that already hold every record
 *   lock they will take: no two writers wait for each other in a cycle, however many records
 *   each writes and in whatever order (the change writer writes a page per transaction).
 * - The pending tables are UNLOGGED: their rows live within one transaction, and a crash, which
 *   empties them, rolls back every transaction that had any.
 * - Conversations without `created_at` are not rolled up (the reader takes them from the records).
 * - The trigger functions (and 0004's change-number trigger) keep the search_path they were
 *   created with, so a session writing this schema's records from another search_path still
 *   updates this schema's rollup and takes this schema's change numbers.
 * - `conversation_stats_rollup_components` holds, per the same key and component kind, the sum of
 *   the reported component amounts and how many there were, maintained the same way (its own
 *   pending table; the flush applies it after the totals, in its key order: one order for all).
 *
 * Existing conversations are rolled up here, after the triggers exist: CREATE TRIGGER waits for
 * writes in flight and holds off new ones until this migration commits, so none is missed or
 * counted twice.
 */
export const conversationStatsRollup: Migration = {
  version: 5,
  name: 'conversation_stats_rollup',
  sql: `
CREATE TABLE conversation_stats_rollup (
  workspace_id  text NOT NULL,
  -- Start of the 15-minute UTC slot the conversations were created in.
  slot          timestamptz NOT NULL,
  provider      text NOT NULL,
  -- NULL: no cost reported (or no currency); its own key, as in a scan.
  cost_currency text,
  conversations bigint NOT NULL,
  talk_seconds  numeric NOT NULL,
  ring_seconds  numeric NOT NULL,
  -- Conversations whose total cost is not reported, and those whose total is summed in cost_total.
  without_cost  bigint NOT NULL,
  costed        bigint NOT NULL,
  cost_total    numeric NOT NULL,
  CONSTRAINT conversation_stats_rollup_key UNIQUE NULLS NOT DISTINCT (${KEY})
);

CREATE TABLE conversation_stats_rollup_components (
  workspace_id   text NOT NULL,
  slot           timestamptz NOT NULL,
  provider       text NOT NULL,
  cost_currency  text,
  component_kind text,
  amount         numeric NOT NULL,
  -- Component amounts summed; a kind whose last one went away stays at zero.
  lines          bigint NOT NULL,
  CONSTRAINT conversation_stats_rollup_components_key UNIQUE NULLS NOT DISTINCT (${COMPONENT_KEY})
);

CREATE UNLOGGED TABLE conversation_stats_rollup_pending (
  xact          xid8 NOT NULL,
  workspace_id  text NOT NULL,
  slot          timestamptz NOT NULL,
  provider      text NOT NULL,
  cost_currency text,
  conversations bigint NOT NULL,
  talk_seconds  numeric NOT NULL,
  ring_seconds  numeric NOT NULL,
  without_cost  bigint NOT NULL,
  costed        bigint NOT NULL,
  cost_total    numeric NOT NULL
);
CREATE INDEX conversation_stats_rollup_pending_xact ON conversation_stats_rollup_pending (xact);

CREATE UNLOGGED TABLE conversation_stats_rollup_components_pending (
  xact           xid8 NOT NULL,
  workspace_id   text NOT NULL,
  slot           timestamptz NOT NULL,
  provider       text NOT NULL,
  cost_currency  text,
  component_kind text,
  amount         numeric NOT NULL,
  lines          bigint NOT NULL
);
CREATE INDEX conversation_stats_rollup_components_pending_xact ON conversation_stats_rollup_components_pending (xact);

CREATE UNLOGGED TABLE conversation_stats_rollup_flush (xact xid8 PRIMARY KEY);

-- Migration 0004's change-number trigger resolves its sequence the same way; pin it too.
ALTER FUNCTION synced_records_take_change_seq() SET search_path FROM CURRENT;

CREATE FUNCTION conversation_stats_rollup_collect() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
DECLARE
  collected boolean := false;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO conversation_stats_rollup_pending
    SELECT pg_current_xact_id(), d.* FROM (${DELTAS('new_rows', 1)}) d;
    collected := FOUND;
${COLLECT_COMPONENTS_INSERTED}
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO conversation_stats_rollup_pending
    SELECT pg_current_xact_id(), d.* FROM (${DELTAS('old_rows', -1)}) d;
    collected := FOUND;
${COLLECT_COMPONENTS_DELETED}
  ELSE
    -- New minus old per key; keys whose figures did not move are left out.
    INSERT INTO conversation_stats_rollup_pending
    SELECT pg_current_xact_id(), ${KEY}, sum(conversations), sum(talk_seconds), sum(ring_seconds),
           sum(without_cost), sum(costed), sum(cost_total)
      FROM (${DELTAS('old_rows', -1)} UNION ALL ${DELTAS('new_rows', 1)}) d
     GROUP BY ${KEY}
    HAVING sum(conversations) <> 0 OR sum(talk_seconds) <> 0 OR sum(ring_seconds) <> 0
        OR sum(without_cost) <> 0 OR sum(costed) <> 0 OR sum(cost_total) <> 0;
    collected := FOUND;
${COLLECT_COMPONENTS_UPDATED}
  END IF;
  IF collected OR FOUND THEN
    INSERT INTO conversation_stats_rollup_flush VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION conversation_stats_rollup_apply() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
BEGIN
  WITH moved AS (
    DELETE FROM conversation_stats_rollup_pending WHERE xact = NEW.xact
    RETURNING ${KEY}, conversations, talk_seconds, ring_seconds, without_cost, costed, cost_total
  )
  INSERT INTO conversation_stats_rollup AS r (${KEY}, conversations, talk_seconds, ring_seconds, without_cost, costed, cost_total)
  SELECT ${KEY}, sum(conversations), sum(talk_seconds), sum(ring_seconds), sum(without_cost), sum(costed), sum(cost_total)
    FROM moved
   GROUP BY ${KEY}
  -- The one lock order every writer follows.
   ORDER BY ${KEY}
  ON CONFLICT ON CONSTRAINT conversation_stats_rollup_key DO UPDATE SET
    conversations = r.conversations + EXCLUDED.conversations,
    talk_seconds  = r.talk_seconds + EXCLUDED.talk_seconds,
    ring_seconds  = r.ring_seconds + EXCLUDED.ring_seconds,
    without_cost  = r.without_cost + EXCLUDED.without_cost,
    costed        = r.costed + EXCLUDED.costed,
    cost_total    = r.cost_total + EXCLUDED.cost_total;
${APPLY_COMPONENTS}
  DELETE FROM conversation_stats_rollup_flush WHERE xact = NEW.xact;
  RETURN NULL;
END
$fn$;

CREATE CONSTRAINT TRIGGER conversation_stats_rollup_apply AFTER INSERT ON conversation_stats_rollup_flush
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION conversation_stats_rollup_apply();

CREATE TRIGGER conversation_stats_rollup_insert AFTER INSERT ON synced_records
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_stats_rollup_collect();
CREATE TRIGGER conversation_stats_rollup_update AFTER UPDATE ON synced_records
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_stats_rollup_collect();
CREATE TRIGGER conversation_stats_rollup_delete AFTER DELETE ON synced_records
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_stats_rollup_collect();

CREATE FUNCTION conversation_stats_rollup_truncate() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
BEGIN
  TRUNCATE conversation_stats_rollup, conversation_stats_rollup_components;
  -- And what this transaction collected before the TRUNCATE: those rows are gone too.
  DELETE FROM conversation_stats_rollup_pending WHERE xact = pg_current_xact_id();
  DELETE FROM conversation_stats_rollup_components_pending WHERE xact = pg_current_xact_id();
  RETURN NULL;
END
$fn$;
CREATE TRIGGER conversation_stats_rollup_truncate AFTER TRUNCATE ON synced_records
  FOR EACH STATEMENT EXECUTE FUNCTION conversation_stats_rollup_truncate();

INSERT INTO conversation_stats_rollup (${KEY}, conversations, talk_seconds, ring_seconds, without_cost, costed, cost_total)
${DELTAS('synced_records', 1)};
INSERT INTO conversation_stats_rollup_components (${COMPONENT_KEY}, amount, lines)
${COMPONENT_DELTAS('synced_records', 1)};
`,
};
