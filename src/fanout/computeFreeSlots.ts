import type { BudgetUsage } from '../store/queries/budgets.ts';
import type { BudgetRecord } from '../store/records.ts';

export interface FreeSlots {
  /** Conversations that may be sent now. */
  free: number;
  /** The limit in force: the provider's when it stated one, else the configured one. */
  limit: number;
  /** Slots this gateway holds: in flight plus created and not seen ending. */
  held: number;
  /**
   * Why `free` is what it is. BLOCKED: a 429's Retry-After runs; PROBING: after a 429, one
   * conversation goes first to learn the real room; PROVIDER: the provider's last word is the
   * tighter bound; LOCAL: the gateway's own count is.
   */
  bound: 'BLOCKED' | 'PROBING' | 'PROVIDER' | 'LOCAL';
  /** When BLOCKED: the instant sending may resume. */
  blockedUntil: Date | null;
}

/**
 * How many conversations a budget can take now. Two counts bound it:
 *
 * - the LOCAL count: limit - held, where held = items DISPATCHING (the provider may be creating
 *   them) + items CREATED (their conversation has not been seen ending). It lags the provider
 *   only in the safe direction: an end is noticed after it happens.
 * - the PROVIDER's word: it said `remaining` at `observedAt`, and it also counts other clients
 *   of the same workspace, which the local count cannot see. Since then, this gateway has put
 *   `dispatching + createdSinceObservation` more conversations on it and seen
 *   `endedSinceObservation` of the conversations counted then end, so its room is now
 *   `remaining - dispatching - createdSinceObservation + endedSinceObservation`. (In-flight
 *   items the provider had already counted are subtracted twice: conservative.) The word is
 *   trusted for `observationTtlMs`; after that the local count rules, and the next create
 *   answer (or 429) brings a fresh word.
 *
 * After a 429 nothing is sent until its Retry-After passes; then a single conversation probes
 * (all-or-nothing creates mean a full burst could be refused again and again while another
 * client takes slots one by one), and its answer's `remaining` sizes the next burst.
 */
export function computeFreeSlots(
  budget: Pick<BudgetRecord, 'configuredLimit' | 'providerLimit' | 'providerRemaining' | 'observedAt' | 'blockedUntil' | 'probePending'>,
  usage: BudgetUsage,
  now: Date,
  options: { observationTtlMs: number },
): FreeSlots {
  const limit = budget.providerLimit ?? budget.configuredLimit;
  const held = usage.dispatching + usage.created;
  const local = Math.max(0, limit - held);
  const result = (free: number, bound: FreeSlots['bound'], blockedUntil: Date | null = null): FreeSlots => ({
    free: Math.max(0, free),
    limit,
    held,
    bound,
    blockedUntil,
  });

  if (budget.blockedUntil !== null && budget.blockedUntil.getTime() > now.getTime()) {
    return result(0, 'BLOCKED', budget.blockedUntil);
  }
  if (budget.probePending) return result(usage.dispatching === 0 ? Math.min(local, 1) : 0, 'PROBING');

  const fresh =
    budget.observedAt !== null &&
    budget.providerRemaining !== null &&
    now.getTime() - budget.observedAt.getTime() <= options.observationTtlMs;
  if (fresh && budget.providerRemaining !== null) {
    const providerFree =
      budget.providerRemaining - usage.dispatching - usage.createdSinceObservation + usage.endedSinceObservation;
    if (providerFree < local) return result(providerFree, 'PROVIDER');
  }
  return result(local, 'LOCAL');
}
