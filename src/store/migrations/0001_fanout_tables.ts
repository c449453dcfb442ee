import type { Migration } from './migration.ts';

/**
 * The fan-out's durable state: batches, one row per conversation to create, and one row per
 * concurrency budget (a provider account shared by whoever uses it).
 *
 * States are text with CHECK constraints rather than enum types, so a later migration can add a
 * state with one statement that PGlite and PostgreSQL run alike.
 */
export const fanoutTables: Migration = {
  version: 1,
  name: 'fanout_tables',
  sql: `
CREATE TABLE batches (
  id                  uuid PRIMARY KEY,
  workspace_id        text NOT NULL,
  -- NULL when the client sent no key; NULLs never collide in the unique constraint.
  idempotency_key     text,
  -- sha256 of the normalized request: the same key with other content is a conflict.
  request_hash        text NOT NULL,
  item_count          integer NOT NULL CHECK (item_count > 0),
  created_at          timestamptz NOT NULL,
  cancel_requested_at timestamptz,
  CONSTRAINT batches_idempotency_key_unique UNIQUE (workspace_id, idempotency_key)
);
CREATE INDEX batches_by_workspace_newest ON batches (workspace_id, created_at DESC, id DESC);

CREATE TABLE batch_items (
  batch_id               uuid NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
  index                  integer NOT NULL,
  -- The gateway's own id for the item, sent to the provider in dynamicVariables for reconciliation.
  request_id             uuid NOT NULL UNIQUE,
  workspace_id           text NOT NULL,
  provider               text NOT NULL,
  budget_key             text NOT NULL,
  agent_native_id        text NOT NULL,
  channel                text NOT NULL,
  to_number              text,
  sip_trunk_address      text,
  dynamic_variables      jsonb NOT NULL,
  prospect               jsonb,
  state                  text NOT NULL CHECK (state IN
                           ('QUEUED', 'DISPATCHING', 'CREATED', 'ENDED', 'FAILED', 'CANCELLED', 'UNRESOLVED')),
  conversation_native_id text,
  -- The unified status (QUEUED, DIALING, IN_PROGRESS, ENDED, FAILED, UNKNOWN) and the provider's word.
  conversation_status    text,
  conversation_status_raw text,
  error_code             text,
  error_message          text,
  -- Create requests that carried this item (a 429 or a reconciled crash can make it more than one).
  attempts               integer NOT NULL DEFAULT 0,
  reconcile_attempts     integer NOT NULL DEFAULT 0,
  -- FOUND | NOT_FOUND (requeued) | UNRESOLVED, once reconciliation has decided.
  reconciled_outcome     text,
  -- Set while DISPATCHING: which replica sent it and until when its answer may still come.
  lease_owner            text,
  lease_expires_at       timestamptz,
  -- The replica that last sent it (kept after the lease ends, for operators and tests).
  dispatched_by          text,
  queued_at              timestamptz NOT NULL,
  dispatched_at          timestamptz,
  -- When the gateway recorded the conversation as created (its slot held from then on).
  created_at             timestamptz,
  -- When the gateway noticed the end, and when the provider says it ended.
  ended_at               timestamptz,
  conversation_ended_at  timestamptz,
  last_polled_at         timestamptz,
  finished_at            timestamptz,
  updated_at             timestamptz NOT NULL,
  PRIMARY KEY (batch_id, index)
);
-- The dispatcher's queue, oldest first per budget.
CREATE INDEX batch_items_queue ON batch_items (budget_key, queued_at, batch_id, index) WHERE state = 'QUEUED';
-- Slots held per budget, and what the poller and the reconciler look at.
CREATE INDEX batch_items_holding ON batch_items (budget_key, state) WHERE state IN ('DISPATCHING', 'CREATED');
-- Ends noticed since the provider's last word about the budget.
CREATE INDEX batch_items_recent_ends ON batch_items (budget_key, ended_at) WHERE state = 'ENDED';

CREATE TABLE budgets (
  budget_key         text PRIMARY KEY,
  -- What the gateway was configured with; used until the provider states its own limit.
  configured_limit   integer NOT NULL CHECK (configured_limit > 0),
  -- What the provider last said, and when.
  provider_limit     integer,
  provider_remaining integer,
  observed_at        timestamptz,
  -- After a 429: no create before this instant (Retry-After).
  blocked_until      timestamptz,
  -- After a 429: send one conversation first, to learn how much room there really is.
  probe_pending      boolean NOT NULL DEFAULT false,
  -- Status polling is taken tick by tick: whoever moves poll_due_at forward polls this time.
  poll_due_at        timestamptz,
  poll_owner         text,
  updated_at         timestamptz NOT NULL
);
`,
};
