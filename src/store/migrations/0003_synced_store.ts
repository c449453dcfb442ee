import type { Migration } from './migration.ts';

/**
 * The synced store: a normalized copy of each workspace's provider records, kept current by
 * per-account sync and webhooks, and the bookkeeping both need.
 *
 * - `synced_records`: ONE row per record (a conversation, agent or prospect of one workspace at
 *   one provider). A change is a new `version` of that row, never a second row; `content_hash`
 *   makes a repeated write of the same content a no-op. `record` is the whole domain object
 *   (`src/sync/recordCodec.ts`); the columns beside it are what filters and BI totals scan.
 * - `sync_accounts`: per workspace and provider account, the sync's watermark and backfill
 *   position (so a crash resumes where it stopped), the lease that lets one replica sync the
 *   account at a time, and the freshness the graph shows.
 * - `webhook_endpoints`: each workspace's unguessable endpoint token (made once, shared by replicas).
 * - `webhook_deliveries`: deliveries seen, by the sender's id, so a delivery sent twice is processed once.
 */
export const syncedStore: Migration = {
  version: 3,
  name: 'synced_store',
  sql: `
CREATE TABLE synced_records (
  workspace_id        text NOT NULL,
  provider            text NOT NULL,
  kind                text NOT NULL CHECK (kind IN ('Conversation', 'Agent', 'Prospect')),
  native_id           text NOT NULL,
  version             integer NOT NULL,
  content_hash        text NOT NULL,
  record              jsonb NOT NULL,
  -- Conversations only: the unified status, creation time, transcript size and whether a cost is known.
  status              text,
  created_at          timestamptz,
  provider_updated_at timestamptz,
  message_count       integer,
  cost_known          boolean,
  first_synced_at     timestamptz NOT NULL,
  synced_at           timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, provider, kind, native_id)
);
-- Newest first per account, and the conversations a sync must still refresh (not over yet).
CREATE INDEX synced_records_newest ON synced_records (workspace_id, provider, kind, created_at DESC);
CREATE INDEX synced_records_open ON synced_records (workspace_id, provider)
  WHERE kind = 'Conversation' AND status NOT IN ('ENDED', 'FAILED');

CREATE TABLE sync_accounts (
  workspace_id      text NOT NULL,
  provider          text NOT NULL,
  -- Newest creation time synced (the provider's precision, as text): incremental pulls start after it.
  watermark         text,
  -- While the first backfill runs: the oldest position reached (newest-first order), as JSON.
  backfill_position jsonb,
  backfill_done     boolean NOT NULL DEFAULT false,
  lease_owner       text,
  lease_expires_at  timestamptz,
  last_attempt_at   timestamptz,
  last_success_at   timestamptz,
  last_error        text,
  last_error_at     timestamptz,
  updated_at        timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, provider)
);

CREATE TABLE webhook_endpoints (
  workspace_id text PRIMARY KEY,
  -- sha256 of the token: looked up by digest, so comparing leaks nothing of the token by timing.
  token_digest text NOT NULL UNIQUE,
  token        text NOT NULL,
  created_at   timestamptz NOT NULL
);

CREATE TABLE webhook_deliveries (
  workspace_id           text NOT NULL,
  provider               text NOT NULL,
  delivery_id            text NOT NULL,
  event_type             text NOT NULL,
  conversation_native_id text,
  received_at            timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, provider, delivery_id)
);

-- A webhook's end frees the slot of the item holding that conversation.
CREATE INDEX batch_items_by_conversation ON batch_items (workspace_id, provider, conversation_native_id)
  WHERE state = 'CREATED';
`,
};
