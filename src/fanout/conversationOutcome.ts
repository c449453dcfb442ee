import type { Conversation } from '../domain/types.ts';
import type { CreatedConversation } from '../store/queries/dispatchOutcomes.ts';

/** The fan-out's view of a conversation: ended (slot free) once ENDED or FAILED. */
export function toCreatedConversation(requestId: string, conversation: Conversation): CreatedConversation {
  const ended = isOver(conversation);
  return {
    requestId,
    conversationNativeId: conversation.nativeId,
    status: conversation.status.value,
    statusRaw: conversation.status.raw,
    ended,
    conversationEndedAt: ended ? conversation.endedAt : null,
  };
}

/** Over, whatever the outcome. An UNKNOWN status counts as over only when an end time is given. */
export function isOver(conversation: Conversation): boolean {
  const status = conversation.status.value;
  return status === 'ENDED' || status === 'FAILED' || (status === 'UNKNOWN' && conversation.endedAt !== null);
}
