/** A batch item as the reconciliation tests read it from the store. */
export interface ReconciledRow {
  request_id: string;
  reconciled_outcome: string | null;
  attempts: number;
}

type Verdict = [requestId: string, outcome: string | null, attempts: number];

/**
 * The verdicts reconciliation reached, as `[requestId, outcome, attempts]`, sorted.
 *
 * An item a killed dispatcher left DISPATCHING was either sent before the kill (its create reached
 * the provider, maybe after the process died) or only claimed (the kill came between the claim and
 * the send). Which one is a race with the kill that a test cannot fix in advance, so the tests
 * check that each verdict fits its item instead of guessing it: see `consistentVerdicts`.
 */
export const verdictsOf = (rows: readonly ReconciledRow[]): Verdict[] =>
  rows
    .filter((row) => row.reconciled_outcome !== null)
    .map((row): Verdict => [row.request_id, row.reconciled_outcome, row.attempts])
    .sort(byRequestId);

/**
 * The only two verdicts that keep "never twice" and "nothing lost": FOUND after one create
 * (recorded as created, never sent again), or NOT_FOUND after a first attempt that never reached
 * the provider, then sent exactly once more (attempts 2). The provider's own count of each request
 * id (no duplicates, every item created) proves which of the two was true.
 */
export const consistentVerdicts = (rows: readonly ReconciledRow[]): Verdict[] =>
  rows
    .filter((row) => row.reconciled_outcome !== null)
    .map((row): Verdict =>
      row.reconciled_outcome === 'FOUND' ? [row.request_id, 'FOUND', 1] : [row.request_id, 'NOT_FOUND', 2],
    )
    .sort(byRequestId);

const byRequestId = (a: Verdict, b: Verdict) => a[0].localeCompare(b[0]);
