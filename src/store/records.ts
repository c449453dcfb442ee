import type { Provider } from '../domain/types.ts';

/**
 * The life of one conversation to create:
 * QUEUED -> DISPATCHING (written before the provider call) -> CREATED (slot held) -> ENDED (slot
 * released, whatever the outcome); or FAILED (the provider refused the item), CANCELLED (cancelled
 * before it was sent), UNRESOLVED (a crash left it mid-dispatch and reconciliation could not tell).
 */
export const ITEM_STATES = ['QUEUED', 'DISPATCHING', 'CREATED', 'ENDED', 'FAILED', 'CANCELLED', 'UNRESOLVED'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** States after which an item never changes again. */
export const FINAL_ITEM_STATES: readonly ItemState[] = ['ENDED', 'FAILED', 'CANCELLED', 'UNRESOLVED'];

export type ItemChannel = 'PHONE_OUTBOUND' | 'CHAT' | 'WEB';

export type ReconciledOutcome = 'FOUND' | 'NOT_FOUND' | 'UNRESOLVED';

export type DynamicVariables = Record<string, string | number | boolean>;

/** Who the conversation is for, as the client described them; kept with the item, not sent. */
export interface ItemProspect {
  name: string | null;
  email: string | null;
  externalId: string | null;
}

export type ItemStateCounts = Record<ItemState, number>;

export interface BatchRecord {
  id: string;
  workspaceId: string;
  idempotencyKey: string | null;
  requestHash: string;
  itemCount: number;
  createdAt: Date;
  cancelRequestedAt: Date | null;
  counts: ItemStateCounts;
  /** Latest time an item reached a final state; the batch's end once every item has one. */
  lastFinishedAt: Date | null;
}

export interface BatchItemRecord {
  batchId: string;
  index: number;
  requestId: string;
  workspaceId: string;
  provider: Provider;
  budgetKey: string;
  agentNativeId: string;
  channel: ItemChannel;
  toNumber: string | null;
  sipTrunkAddress: string | null;
  dynamicVariables: DynamicVariables;
  prospect: ItemProspect | null;
  state: ItemState;
  conversationNativeId: string | null;
  conversationStatus: string | null;
  conversationStatusRaw: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number;
  reconcileAttempts: number;
  reconciledOutcome: ReconciledOutcome | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  dispatchedBy: string | null;
  queuedAt: Date;
  dispatchedAt: Date | null;
  createdAt: Date | null;
  endedAt: Date | null;
  conversationEndedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

export interface BudgetRecord {
  budgetKey: string;
  configuredLimit: number;
  providerLimit: number | null;
  providerRemaining: number | null;
  observedAt: Date | null;
  blockedUntil: Date | null;
  probePending: boolean;
  pollDueAt: Date | null;
  pollOwner: string | null;
  updatedAt: Date;
}

/** A new item as the fan-out hands it to the store. */
export interface NewBatchItem {
  index: number;
  requestId: string;
  provider: Provider;
  budgetKey: string;
  agentNativeId: string;
  channel: ItemChannel;
  toNumber: string | null;
  sipTrunkAddress: string | null;
  dynamicVariables: DynamicVariables;
  prospect: ItemProspect | null;
}

export function emptyStateCounts(): ItemStateCounts {
  return { QUEUED: 0, DISPATCHING: 0, CREATED: 0, ENDED: 0, FAILED: 0, CANCELLED: 0, UNRESOLVED: 0 };
}
