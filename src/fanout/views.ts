import type { Provider } from '../domain/types.ts';
import type {
  BatchItemRecord,
  BatchRecord,
  DynamicVariables,
  ItemChannel,
  ItemProspect,
  ItemState,
  ItemStateCounts,
  ReconciledOutcome,
} from '../store/records.ts';
import { deriveBatchStatus, isFinalBatchStatus, type BatchStatus } from './batchStatus.ts';

/** A batch as the API shows it. */
export interface BatchView {
  /** The type tag `Node` resolution reads. */
  kind: 'ConversationBatch';
  id: string;
  workspaceId: string;
  idempotencyKey: string | null;
  status: BatchStatus;
  itemCount: number;
  counts: ItemStateCounts;
  createdAt: Date;
  cancelRequestedAt: Date | null;
  /** When the last item reached a final state; null while any is still going. */
  finishedAt: Date | null;
}

/** One conversation of a batch as the API shows it (leases and other bookkeeping left out). */
export interface BatchItemView {
  batchId: string;
  index: number;
  /** The gateway's id for the item, also sent to the provider in `dynamicVariables`. */
  requestId: string;
  state: ItemState;
  provider: Provider;
  agentNativeId: string;
  channel: ItemChannel;
  toNumber: string | null;
  sipTrunkAddress: string | null;
  dynamicVariables: DynamicVariables;
  prospect: ItemProspect | null;
  /** The created conversation, once there is one. */
  conversationNativeId: string | null;
  conversationStatus: string | null;
  conversationStatusRaw: string | null;
  error: { code: string | null; message: string } | null;
  attempts: number;
  reconciledOutcome: ReconciledOutcome | null;
  /** The replica that last sent it. */
  dispatchedBy: string | null;
  queuedAt: Date;
  dispatchedAt: Date | null;
  createdAt: Date | null;
  endedAt: Date | null;
  finishedAt: Date | null;
}

export function toBatchView(record: BatchRecord): BatchView {
  const status = deriveBatchStatus(record.counts);
  return {
    kind: 'ConversationBatch',
    id: record.id,
    workspaceId: record.workspaceId,
    idempotencyKey: record.idempotencyKey,
    status,
    itemCount: record.itemCount,
    counts: record.counts,
    createdAt: record.createdAt,
    cancelRequestedAt: record.cancelRequestedAt,
    finishedAt: isFinalBatchStatus(status) ? record.lastFinishedAt : null,
  };
}

export function toBatchItemView(record: BatchItemRecord): BatchItemView {
  // A message without a final failure is a note (e.g. why an item waits for reconciliation).
  const failed = record.state === 'FAILED' || record.state === 'UNRESOLVED';
  return {
    batchId: record.batchId,
    index: record.index,
    requestId: record.requestId,
    state: record.state,
    provider: record.provider,
    agentNativeId: record.agentNativeId,
    channel: record.channel,
    toNumber: record.toNumber,
    sipTrunkAddress: record.sipTrunkAddress,
    dynamicVariables: record.dynamicVariables,
    prospect: record.prospect,
    conversationNativeId: record.conversationNativeId,
    conversationStatus: record.conversationStatus,
    conversationStatusRaw: record.conversationStatusRaw,
    error:
      failed || record.errorCode !== null
        ? { code: record.errorCode, message: record.errorMessage ?? 'no reason recorded' }
        : null,
    attempts: record.attempts,
    reconciledOutcome: record.reconciledOutcome,
    dispatchedBy: record.dispatchedBy,
    queuedAt: record.queuedAt,
    dispatchedAt: record.dispatchedAt,
    createdAt: record.createdAt,
    endedAt: record.endedAt,
    finishedAt: record.finishedAt,
  };
}
