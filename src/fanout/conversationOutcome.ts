import type { Conversation } from '../domain/types.ts';
import { ProviderBadResponseError } from '../providers/errors.ts';
import type { CreatedConversation } from '../store/queries/dispatchOutcomes.ts';

/**
 * The fan-out's view of a conversation: ended (slot free) once ENDED or FAILED. A conversation the
 * provider created is recorded as created whatever else its answer breaks: its status and end are
 * read field by field, and one that breaks the provider's contract reads as UNKNOWN and not over
 * (the slot stays held until a poll reads it), never as a create whose outcome is unknown.
 */
export function toCreatedConversation(requestId: string, conversation: Conversation): CreatedConversation {
  const read = readProgress(conversation);
  return { requestId, conversationNativeId: conversation.nativeId, ...read };
}

function readProgress(conversation: Conversation): Pick<CreatedConversation, 'status' | 'statusRaw' | 'ended' | 'conversationEndedAt'> {
  try {
    const ended = isOver(conversation);
    return { status: conversation.status.value, statusRaw: conversation.status.raw, ended, conversationEndedAt: ended ? conversation.endedAt : null };
  } catch (error) {
    if (!(error instanceof ProviderBadResponseError)) throw error;
    return { status: 'UNKNOWN', statusRaw: null, ended: false, conversationEndedAt: null };
  }
}

/** Over, whatever the outcome. An UNKNOWN status counts as over only when an end time is given. */
export function isOver(conversation: Conversation): boolean {
  const status = conversation.status.value;
  return status === 'ENDED' || status === 'FAILED' || (status === 'UNKNOWN' && conversation.endedAt !== null);
}
