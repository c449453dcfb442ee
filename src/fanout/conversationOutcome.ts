import type { Conversation } from '../domain/types.ts';
import { ProviderBadResponseError } from '../providers/errors.ts';
import type { CreatedConversation } from '../store/queries/dispatchOutcomes.ts';

/** Where a conversation is, as the fan-out records it. */
export type ConversationReading = Pick<CreatedConversation, 'status' | 'statusRaw' | 'ended' | 'conversationEndedAt'>;

/**
 * A conversation's status and end as the fan-out records them: ended (slot free) once ENDED or
 * FAILED. Null when either breaks the provider's contract (conversations are read field by field,
 * and a broken field throws when read): `unreadable` is told why. Read unguarded, one garbled end
 * time failed a whole status poll, or a webhook, every time (an outside trial); each caller now
 * decides what an unreadable conversation means.
 */
export function readConversation(conversation: Conversation, unreadable?: (error: ProviderBadResponseError) => void): ConversationReading | null {
  try {
    const ended = isOver(conversation);
    return { status: conversation.status.value, statusRaw: conversation.status.raw, ended, conversationEndedAt: ended ? conversation.endedAt : null };
  } catch (error) {
    if (!(error instanceof ProviderBadResponseError)) throw error;
    unreadable?.(error);
    return null;
  }
}

/**
 * A conversation the provider created, recorded as created whatever else its answer breaks: one
 * whose status or end cannot be read is UNKNOWN and not over (the slot stays held until a poll
 * reads it), never a create whose outcome is unknown.
 */
export function toCreatedConversation(requestId: string, conversation: Conversation): CreatedConversation {
  const read = readConversation(conversation) ?? { status: 'UNKNOWN', statusRaw: null, ended: false, conversationEndedAt: null };
  return { requestId, conversationNativeId: conversation.nativeId, ...read };
}

/** Over, whatever the outcome. An UNKNOWN status counts as over only when an end time is given. */
export function isOver(conversation: Conversation): boolean {
  const status = conversation.status.value;
  return status === 'ENDED' || status === 'FAILED' || (status === 'UNKNOWN' && conversation.endedAt !== null);
}
