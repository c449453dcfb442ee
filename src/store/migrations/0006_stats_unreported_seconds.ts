import {
  APPLY_COMPONENTS,
  COLLECT_COMPONENTS_DELETED,
  COLLECT_COMPONENTS_INSERTED,
  COLLECT_COMPONENTS_UPDATED,
} from './0005_conversation_stats_rollup.ts';
import type { Migration } from './migration.ts';

/** The rollup's key, as in migration 0005 (and its one lock order). */
const KEY = 'workspace_id, slot, provider, cost_currency';

/** Migration 0005's deltas, with the conversations whose talk and ring seconds are not reported counted. */
const DELTAS = (source: string, sign: 1 | -1) => `
  SELECT workspace_id, date_bin('15 minutes', created_at, timestamptz '1970-01-01 00:00:00+00') AS slot, provider, cost_currency,
         ${sign} * count(*) AS conversations,
         ${sign} * coalesce(sum(talk_seconds), 0) AS talk_seconds,
         ${sign} * coalesce(sum(ring_seconds), 0) AS ring_seconds,
         ${sign} * count(*) FILTER (WHERE cost_total IS NULL) AS without_cost,
         ${sign} * count(cost_total) AS costed,
         ${sign} * coalesce(sum(cost_total), 0) AS cost_total,
         ${sign} * count(*) FILTER (WHERE talk_seconds IS NULL) AS without_talk,
         ${sign} * count(*) FILTER (WHERE ring_seconds IS NULL) AS without_ring
    FROM ${source}
   WHERE kind = 'Conversation' AND created_at IS NOT NULL
   GROUP BY ${KEY}`;

const FIGURES = 'conversations, talk_seconds, ring_seconds, without_cost, costed, cost_total, without_talk, without_ring';

/**
 * `conversationStats` sums talk and ring seconds over the conversations that report them, and a
 * group of Trata or VoiceOS conversations (no ring time) read `ringSeconds: 0` as if every call
 * had been answered at once. The rollup now also counts, per key, the conversations without
 * talk seconds and without ring seconds, as it counts those without a cost, so a group says how
 * many its sums leave out.
 *
 * The collect and apply functions are replaced with ones that carry the two counts (the component
 * half is 0005's, unchanged), and the rollup's rows are computed again from the records. The
 * SHARE lock on `synced_records` waits for writers in flight (whose pending rows were collected
 * without the counts) and holds new ones off until this commits.
 */
export const statsUnreportedSeconds: Migration = {
  version: 6,
  name: 'stats_unreported_seconds',
  sql: `
LOCK TABLE synced_records IN SHARE MODE;

ALTER TABLE conversation_stats_rollup
  ADD COLUMN without_talk bigint NOT NULL DEFAULT 0,
  ADD COLUMN without_ring bigint NOT NULL DEFAULT 0;
ALTER TABLE conversation_stats_rollup_pending
  ADD COLUMN without_talk bigint NOT NULL DEFAULT 0,
  ADD COLUMN without_ring bigint NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION conversation_stats_rollup_collect() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
DECLARE
  collected boolean := false;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO conversation_stats_rollup_pending (xact, ${KEY}, ${FIGURES})
    SELECT pg_current_xact_id(), d.* FROM (${DELTAS('new_rows', 1)}) d;
    collected := FOUND;
${COLLECT_COMPONENTS_INSERTED}
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO conversation_stats_rollup_pending (xact, ${KEY}, ${FIGURES})
    SELECT pg_current_xact_id(), d.* FROM (${DELTAS('old_rows', -1)}) d;
    collected := FOUND;
${COLLECT_COMPONENTS_DELETED}
  ELSE
    -- New minus old per key; keys whose figures did not move are left out.
    INSERT INTO conversation_stats_rollup_pending (xact, ${KEY}, ${FIGURES})
    SELECT pg_current_xact_id(), ${KEY}, sum(conversations), sum(talk_seconds), sum(ring_seconds),
           sum(without_cost), sum(costed), sum(cost_total), sum(without_talk), sum(without_ring)
      FROM (${DELTAS('old_rows', -1)} UNION ALL ${DELTAS('new_rows', 1)}) d
     GROUP BY ${KEY}
    HAVING sum(conversations) <> 0 OR sum(talk_seconds) <> 0 OR sum(ring_seconds) <> 0
        OR sum(without_cost) <> 0 OR sum(costed) <> 0 OR sum(cost_total) <> 0
        OR sum(without_talk) <> 0 OR sum(without_ring) <> 0;
    collected := FOUND;
${COLLECT_COMPONENTS_UPDATED}
  END IF;
  IF collected OR FOUND THEN
    INSERT INTO conversation_stats_rollup_flush VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION conversation_stats_rollup_apply() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
BEGIN
  WITH moved AS (
    DELETE FROM conversation_stats_rollup_pending WHERE xact = NEW.xact
    RETURNING ${KEY}, ${FIGURES}
  )
  INSERT INTO conversation_stats_rollup AS r (${KEY}, ${FIGURES})
  SELECT ${KEY}, sum(conversations), sum(talk_seconds), sum(ring_seconds), sum(without_cost), sum(costed), sum(cost_total),
         sum(without_talk), sum(without_ring)
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
    cost_total    = r.cost_total + EXCLUDED.cost_total,
    without_talk  = r.without_talk + EXCLUDED.without_talk,
    without_ring  = r.without_ring + EXCLUDED.without_ring;
${APPLY_COMPONENTS}
  DELETE FROM conversation_stats_rollup_flush WHERE xact = NEW.xact;
  RETURN NULL;
END
$fn$;

-- Every row again from the records (the rollup's invariant); rows left at zero go with the rest.
DELETE FROM conversation_stats_rollup;
INSERT INTO conversation_stats_rollup (${KEY}, ${FIGURES})
${DELTAS('synced_records', 1)};
`,
};
