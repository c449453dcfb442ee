import type { Provider } from '../domain/types.ts';
import type { Conversation } from '../domain/types.ts';
import type { ConversationCreator } from '../providers/connector.ts';
import type { Database } from '../store/database.ts';
import type { Clock } from './clock.ts';
import type { FanoutTiming } from './fanoutTiming.ts';

/** What the dispatcher, poller and reconciler share within one replica. */
export interface FanoutContext {
  db: Database;
  /** Names this replica in leases; stable across restarts so a restart reconciles its own leftovers. */
  replicaId: string;
  clock: Clock;
  timing: FanoutTiming;
  /**
   * What creates conversations for one workspace's account at a provider; throws when the
   * workspace has no account there or the provider cannot place conversations.
   */
  creatorFor: (workspaceId: string, provider: Provider) => ConversationCreator;
  /** Errors the loops survive (a provider or the database briefly away); for logs and metrics. */
  reportError: (error: unknown, during: string) => void;
  /** Told, after each commit, what the fan-out saw and changed (the change feed); null when nobody listens. */
  observer: FanoutObserver | null;
}

/**
 * What the fan-out reports to the change feed: conversations it read from a provider (creates and
 * status polls), written to the synced store like any other read, and batches whose items changed.
 * Called after the fan-out's own transaction committed; a failure here is reported, never retried
 * by resending anything.
 */
export interface FanoutObserver {
  conversationsRead(workspaceId: string, provider: Provider, conversations: readonly Conversation[]): Promise<void>;
  batchesChanged(workspaceId: string, batchIds: readonly string[]): Promise<void>;
}

/** Tells the observer, if any, swallowing (and reporting) its failure: the fan-out's work is already stored. */
export async function tellObserver(ctx: FanoutContext, during: string, tell: (observer: FanoutObserver) => Promise<void>): Promise<void> {
  if (!ctx.observer) return;
  try {
    await tell(ctx.observer);
  } catch (error) {
    ctx.reportError(error, during);
  }
}

/**
 * Tells the observer (the synced store and its feed) about conversations the fan-out read, then
 * about the batches whose items changed. The batches' events go out whatever storing the
 * conversations met: the item changes behind them are committed already.
 */
export async function reportConversations(
  ctx: FanoutContext,
  change: { workspaceId: string; provider: Provider; conversations: readonly Conversation[]; batchIds: Iterable<string> },
  during: string,
): Promise<void> {
  await tellObserver(ctx, during, async (observer) => {
    try {
      await observer.conversationsRead(change.workspaceId, change.provider, change.conversations);
    } finally {
      const batchIds = [...new Set(change.batchIds)];
      if (batchIds.length > 0) await observer.batchesChanged(change.workspaceId, batchIds);
    }
  });
}

export function addMs(date: Date, ms: number): Date {
  return new Date(date.getTime() + ms);
}
