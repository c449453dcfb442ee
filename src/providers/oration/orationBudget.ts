import type { BudgetDescriptor } from '../connector.ts';

/** Concurrent active or dialing conversations Oration documents per workspace. */
export const ORATION_DEFAULT_CONCURRENCY = 20;

/**
 * The budget key of an Oration account. Oration grants its limit per workspace, so the workspace
 * id is the account; the base URL is not part of it, since one account may be reached at another
 * address (a demo simulator on a new port after a restart, a proxy) and must not get a second
 * budget. Stores hold this key: keep its format. Migration 0002 rewrote the older
 * `ORATION:<host>:<workspace id>` keys to it.
 */
export function orationBudgetKey(orationWorkspaceId: string): string {
  return `ORATION:${orationWorkspaceId}`;
}

export function orationBudget(orationWorkspaceId: string, configuredLimit: number | undefined): BudgetDescriptor {
  return { key: orationBudgetKey(orationWorkspaceId), limit: configuredLimit ?? ORATION_DEFAULT_CONCURRENCY };
}
