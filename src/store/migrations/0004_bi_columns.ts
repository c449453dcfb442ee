import type { Migration } from './migration.ts';

/**
 * What BI totals and exports scan, as typed columns of `synced_records`.
 *
 * - Generated (STORED) from `record`, so they can never disagree with it and the change writer
 *   needs no change. Money is `numeric` (exact: read from the `{"$decimal": "…"}` text, never a
 *   float), durations `numeric` from the JSON number's own text.
 * - `change_seq`: a database-wide sequence number taken by every new version of a row (insert or
 *   update). Exports hand out the highest number they covered as the next `updatedSince`. A writer
 *   takes a shared advisory lock before its number; an export takes the same lock exclusively for
 *   an instant to read the sequence, so every number at or below the one it read is committed
 *   (never a gap a slower transaction fills later, which would be missed by the next pull).
 * - A covering index for totals over one workspace's conversations by creation time.
 */
export const biColumns: Migration = {
  version: 4,
  name: 'bi_columns',
  sql: `
ALTER TABLE synced_records
  ADD COLUMN agent_native_id    text GENERATED ALWAYS AS (record->'agentRef'->>'nativeId') STORED,
  ADD COLUMN prospect_native_id text GENERATED ALWAYS AS (record->'prospectRef'->>'nativeId') STORED,
  ADD COLUMN channel            text GENERATED ALWAYS AS (record->'channel'->>'value') STORED,
  ADD COLUMN end_reason         text GENERATED ALWAYS AS (record->'endReason'->>'value') STORED,
  ADD COLUMN sentiment          text GENERATED ALWAYS AS (record->'analytics'->'sentiment'->>'value') STORED,
  ADD COLUMN prospect_status    text GENERATED ALWAYS AS (record->'analytics'->>'prospectStatus') STORED,
  ADD COLUMN duration_seconds   numeric GENERATED ALWAYS AS ((record->>'durationSeconds')::numeric) STORED,
  ADD COLUMN talk_seconds       numeric GENERATED ALWAYS AS ((record->>'talkSeconds')::numeric) STORED,
  ADD COLUMN ring_seconds       numeric GENERATED ALWAYS AS ((record->>'ringSeconds')::numeric) STORED,
  ADD COLUMN cost_currency      text GENERATED ALWAYS AS (record->'cost'->>'currency') STORED,
  ADD COLUMN cost_total         numeric GENERATED ALWAYS AS ((record->'cost'->'total'->>'$decimal')::numeric) STORED;

CREATE SEQUENCE synced_records_change_seq;
ALTER TABLE synced_records ADD COLUMN change_seq bigint;
UPDATE synced_records SET change_seq = nextval('synced_records_change_seq');
ALTER TABLE synced_records ALTER COLUMN change_seq SET NOT NULL;

CREATE FUNCTION synced_records_take_change_seq() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  -- Shared: writers never wait for each other; an export's exclusive hold waits for them to commit.
  PERFORM pg_advisory_xact_lock_shared(hashtext('switchboard.change_seq'));
  NEW.change_seq := nextval('synced_records_change_seq');
  RETURN NEW;
END
$fn$;
CREATE TRIGGER synced_records_change_seq BEFORE INSERT OR UPDATE ON synced_records
  FOR EACH ROW EXECUTE FUNCTION synced_records_take_change_seq();

CREATE INDEX synced_records_changes ON synced_records (workspace_id, change_seq);
CREATE INDEX synced_records_bi_created ON synced_records (workspace_id, created_at)
  INCLUDE (provider, cost_currency, cost_total, talk_seconds, ring_seconds)
  WHERE kind = 'Conversation';
`,
};
