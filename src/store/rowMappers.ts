import type { Provider } from '../domain/types.ts';
import {
  emptyStateCounts,
  type BatchItemRecord,
  type BatchRecord,
  type BudgetRecord,
  type DynamicVariables,
  type ItemChannel,
  type ItemProspect,
  type ItemState,
  type ReconciledOutcome,
} from './records.ts';

/** A row as either driver returns it: snake_case columns, timestamps as Date, jsonb parsed. */
export type Row = Record<string, unknown>;

/** The columns `toBatchRecord` reads beyond `batches.*`: one count per state and the last finish. */
export const BATCH_COUNT_COLUMNS = `
  count(*) FILTER (WHERE i.state = 'QUEUED')::int      AS queued_count,
  count(*) FILTER (WHERE i.state = 'DISPATCHING')::int AS dispatching_count,
  count(*) FILTER (WHERE i.state = 'CREATED')::int     AS created_count,
  count(*) FILTER (WHERE i.state = 'ENDED')::int       AS ended_count,
  count(*) FILTER (WHERE i.state = 'FAILED')::int      AS failed_count,
  count(*) FILTER (WHERE i.state = 'CANCELLED')::int   AS cancelled_count,
  count(*) FILTER (WHERE i.state = 'UNRESOLVED')::int  AS unresolved_count,
  max(i.finished_at)                                   AS last_finished_at`;

export function toBatchRecord(row: Row): BatchRecord {
  const counts = emptyStateCounts();
  counts.QUEUED = int(row.queued_count);
  counts.DISPATCHING = int(row.dispatching_count);
  counts.CREATED = int(row.created_count);
  counts.ENDED = int(row.ended_count);
  counts.FAILED = int(row.failed_count);
  counts.CANCELLED = int(row.cancelled_count);
  counts.UNRESOLVED = int(row.unresolved_count);
  return {
    id: String(row.id),
    workspaceId: String(row.workspace_id),
    idempotencyKey: stringOrNull(row.idempotency_key),
    requestHash: String(row.request_hash),
    itemCount: int(row.item_count),
    createdAt: date(row.created_at),
    cancelRequestedAt: dateOrNull(row.cancel_requested_at),
    counts,
    lastFinishedAt: dateOrNull(row.last_finished_at),
  };
}

export function toBatchItemRecord(row: Row): BatchItemRecord {
  return {
    batchId: String(row.batch_id),
    index: int(row.index),
    requestId: String(row.request_id),
    workspaceId: String(row.workspace_id),
    provider: String(row.provider) as Provider,
    budgetKey: String(row.budget_key),
    agentNativeId: String(row.agent_native_id),
    channel: String(row.channel) as ItemChannel,
    toNumber: stringOrNull(row.to_number),
    sipTrunkAddress: stringOrNull(row.sip_trunk_address),
    dynamicVariables: json(row.dynamic_variables) as DynamicVariables,
    prospect: row.prospect === null || row.prospect === undefined ? null : (json(row.prospect) as ItemProspect),
    state: String(row.state) as ItemState,
    conversationNativeId: stringOrNull(row.conversation_native_id),
    conversationStatus: stringOrNull(row.conversation_status),
    conversationStatusRaw: stringOrNull(row.conversation_status_raw),
    errorCode: stringOrNull(row.error_code),
    errorMessage: stringOrNull(row.error_message),
    attempts: int(row.attempts),
    reconcileAttempts: int(row.reconcile_attempts),
    reconciledOutcome: stringOrNull(row.reconciled_outcome) as ReconciledOutcome | null,
    leaseOwner: stringOrNull(row.lease_owner),
    leaseExpiresAt: dateOrNull(row.lease_expires_at),
    dispatchedBy: stringOrNull(row.dispatched_by),
    queuedAt: date(row.queued_at),
    dispatchedAt: dateOrNull(row.dispatched_at),
    createdAt: dateOrNull(row.created_at),
    endedAt: dateOrNull(row.ended_at),
    conversationEndedAt: dateOrNull(row.conversation_ended_at),
    finishedAt: dateOrNull(row.finished_at),
    updatedAt: date(row.updated_at),
  };
}

export function toBudgetRecord(row: Row): BudgetRecord {
  return {
    budgetKey: String(row.budget_key),
    configuredLimit: int(row.configured_limit),
    providerLimit: intOrNull(row.provider_limit),
    providerRemaining: intOrNull(row.provider_remaining),
    observedAt: dateOrNull(row.observed_at),
    blockedUntil: dateOrNull(row.blocked_until),
    probePending: row.probe_pending === true,
    pollDueAt: dateOrNull(row.poll_due_at),
    pollOwner: stringOrNull(row.poll_owner),
    updatedAt: date(row.updated_at),
  };
}

function int(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

function intOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : int(value);
}

function stringOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function date(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

function dateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : date(value);
}

/** jsonb arrives parsed from both drivers; a string would mean a driver that did not parse it. */
function json(value: unknown): unknown {
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
}
