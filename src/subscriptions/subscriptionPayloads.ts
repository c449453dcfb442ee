import type { Conversation } from '../domain/types.ts';
import type { ConversationChangeKind } from '../feed/changeEvent.ts';
import type { BatchView } from '../fanout/views.ts';

/** What `conversationChanged` yields: the stored conversation and what changed. */
export interface ConversationChangePayload {
  conversation: Conversation;
  changes: ConversationChangeKind[];
  version: number;
  droppedBefore: number;
}

export interface BatchProgressPayload {
  batch: BatchView;
  droppedBefore: number;
}
