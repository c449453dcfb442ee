import { fromGlobalId, type GlobalIdParts, type NodeType } from '../domain/globalId.ts';
import type { Provider } from '../domain/types.ts';
import { BadUserInputError } from '../errors.ts';

/**
 * Decodes one global id given in a filter (`agentIds`, `conversationIds`, a subscription's
 * `batchId`). A malformed id, or an id of another type, is the caller's mistake, refused with
 * BAD_USER_INPUT naming the filter's field, alike in queries, `conversationStats`, the exports and
 * subscriptions: matching nothing would hide it, and a subscription that can never match would
 * stay open and silent forever.
 */
export function filterIdOfType(id: string, type: NodeType, field: string): GlobalIdParts {
  const parts = fromGlobalId(id);
  // Only the gateway's own entities (batches) have no provider.
  if (parts === null || parts.type !== type || (parts.provider === null) !== (type === 'ConversationBatch')) {
    throw new BadUserInputError(`${field}: "${id.slice(0, 120)}" is not ${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type} id`, { field });
  }
  return parts;
}

/** `filterIdOfType` for a list of ids of a provider's entities. */
export function filterIdsOfType(ids: readonly string[], type: 'Conversation' | 'Agent' | 'Prospect', field: string): (GlobalIdParts & { provider: Provider })[] {
  return ids.map((id) => filterIdOfType(id, type, field) as GlobalIdParts & { provider: Provider });
}
