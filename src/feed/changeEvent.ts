import type { Provider } from '../domain/types.ts';

/** What changed about a conversation, as subscribers see it. */
export const CONVERSATION_CHANGE_KINDS = ['CREATED', 'STATUS_CHANGED', 'TRANSCRIPT_MESSAGE', 'COST_KNOWN', 'UPDATED'] as const;
export type ConversationChangeKind = (typeof CONVERSATION_CHANGE_KINDS)[number];

/**
 * One change, already in the store. Events carry keys, never records: a subscriber reads the
 * record from the store (on its own replica), so a notification that crossed PostgreSQL stays
 * small (NOTIFY payloads are limited to 8000 bytes) and never holds data the store does not.
 */
export type ChangeEvent =
  | {
      type: 'conversation';
      workspaceId: string;
      provider: Provider;
      nativeId: string;
      version: number;
      changes: ConversationChangeKind[];
    }
  | { type: 'batch'; workspaceId: string; batchId: string };

export type ChangeListener = (event: ChangeEvent) => void;

/**
 * The change feed: whoever wrote to the store publishes after the commit; every replica's
 * subscribers hear it. `publish` never throws (a lost notification is caught up by the next
 * sync or poll, never by a second write).
 */
export interface ChangeFeed {
  publish(events: readonly ChangeEvent[]): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(listener: ChangeListener): () => void;
  close(): Promise<void>;
  /** A feed over a connection of its own (PostgreSQL): whether it is connected and listening now. */
  isListening?(): boolean;
}
