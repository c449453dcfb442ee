import { fromGlobalIdOfType, type GlobalIdParts } from '../domain/globalId.ts';
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
