import { fromGlobalId, type GlobalIdParts, type NodeType } from '../domain/globalId.ts';
import { BadUserInputError } from '../errors.ts';

/**
 * Decodes a global id given in a subscription filter. A subscription that can never match stays
 * open and silent forever, so an id that is malformed or of another type is refused at once, as
 * BAD_USER_INPUT naming the field (`field`: e.g. `filter.conversationIds[0]`).
 */
export function filterIdOfType(id: string, type: NodeType, field: string): GlobalIdParts {
  const parts = fromGlobalId(id);
  // Only the gateway's own entities (batches) have no provider.
  if (!parts || (parts.provider === null) !== (parts.type === 'ConversationBatch')) throw new BadUserInputError(`${field} is not an id this gateway issued`, { field });
  if (parts.type !== type) throw new BadUserInputError(`${field} is the id of ${article(parts.type)}, not of ${article(type)}`, { field });
  return parts;
}

function article(type: NodeType): string {
  return `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type}`;
}
