import { fromGlobalId, fromGlobalIdOfType, type GlobalIdParts, type NodeType } from '../domain/globalId.ts';
import type { Provider } from '../domain/types.ts';
import { BadUserInputError } from '../errors.ts';

type ProviderEntity = 'Conversation' | 'Agent' | 'Prospect';

/**
 * Decodes the global ids of a list filter (`agentIds`, `prospectIds`, `conversationIds`).
 * A malformed id, or an id of another type, is the caller's mistake, refused with BAD_USER_INPUT
 * naming the field, as `conversationStats` and the exports do: matching nothing would hide it.
 */
export function filterIdsOfType(ids: readonly string[], type: ProviderEntity, field: string): (GlobalIdParts & { provider: Provider })[] {
  return ids.map((id) => {
    const parts = fromGlobalIdOfType(id, type);
    if (!parts) throw new BadUserInputError(`${field}: "${id.slice(0, 120)}" is not ${article(type)} ${type} id`, { field });
    return parts;
  });
}

function article(type: ProviderEntity): string {
  return type === 'Agent' ? 'an' : 'a';
}

/**
 * Decodes one global id given in a subscription filter, of any type (`ConversationBatch` too).
 * A subscription that can never match stays open and silent forever, so an id that is malformed
 * or of another type is refused at once, as BAD_USER_INPUT naming the field
 * (`filter.conversationIds[0]`).
 */
export function filterIdOfType(id: string, type: NodeType, field: string): GlobalIdParts {
  const parts = fromGlobalId(id);
  // Only the gateway's own entities (batches) have no provider.
  if (!parts || (parts.provider === null) !== (parts.type === 'ConversationBatch')) throw new BadUserInputError(`${field} is not an id this gateway issued`, { field });
  if (parts.type !== type) throw new BadUserInputError(`${field} is the id of ${withArticle(parts.type)}, not of ${withArticle(type)}`, { field });
  return parts;
}

function withArticle(type: NodeType): string {
  return `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type}`;
}
