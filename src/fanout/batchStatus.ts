import type { ItemStateCounts } from '../store/records.ts';

export type BatchStatus = 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'COMPLETED_WITH_ERRORS' | 'CANCELLED';

/**
 * A batch's status, derived from its item counts on every read rather than stored: concurrent
 * transitions on several replicas could otherwise leave a stored status stale.
 * - QUEUED: nothing sent yet; RUNNING: something sent and something not final;
 * - once every item is final: CANCELLED when a cancel stopped at least one item,
 *   COMPLETED_WITH_ERRORS when one FAILED or is UNRESOLVED, else COMPLETED.
 */
export function deriveBatchStatus(counts: ItemStateCounts): BatchStatus {
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  const unfinished = counts.QUEUED + counts.DISPATCHING + counts.CREATED;
  if (unfinished > 0) return counts.QUEUED === total ? 'QUEUED' : 'RUNNING';
  if (counts.CANCELLED > 0) return 'CANCELLED';
  if (counts.FAILED > 0 || counts.UNRESOLVED > 0) return 'COMPLETED_WITH_ERRORS';
  return 'COMPLETED';
}

export function isFinalBatchStatus(status: BatchStatus): boolean {
  return status === 'COMPLETED' || status === 'COMPLETED_WITH_ERRORS' || status === 'CANCELLED';
}
