import type { Provider } from '../domain/types.ts';
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
}

export function addMs(date: Date, ms: number): Date {
  return new Date(date.getTime() + ms);
}
