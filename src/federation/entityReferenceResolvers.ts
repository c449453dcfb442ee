import type { GatewayContext } from '../context.ts';
import { loadAgent, loadBatch, loadConversation, loadProspect } from '../resolvers/Query.ts';
import type { ENTITY_TYPES } from './subgraphSchema.ts';

/** What a router sends for an entity: its type name and its key. */
export interface EntityRepresentation {
  __typename: string;
  id: unknown;
}

type ReferenceResolver = (representation: EntityRepresentation, context: GatewayContext) => Promise<unknown>;

/**
 * `__resolveReference` of each entity: the representation's `id` is a global id, loaded through
 * the request's DataLoaders exactly as `node(id:)` loads it (batched per provider, scoped to the
 * caller's workspace). An id that is malformed, of another type or of another workspace answers
 * NOT_FOUND for that entity, as `node` does, and the other entities still resolve.
 */
export const entityReferenceResolvers: Record<(typeof ENTITY_TYPES)[number], { __resolveReference: ReferenceResolver }> = {
  Conversation: { __resolveReference: (reference, context) => loadConversation(keyOf(reference), context) },
  Agent: { __resolveReference: (reference, context) => loadAgent(keyOf(reference), context) },
  Prospect: { __resolveReference: (reference, context) => loadProspect(keyOf(reference), context) },
  ConversationBatch: { __resolveReference: (reference, context) => loadBatch(keyOf(reference), context) },
};

/** `_Any` is unchecked JSON: a key that is not a string is no id of ours (and would not be found). */
function keyOf(reference: EntityRepresentation): string {
  return typeof reference.id === 'string' ? reference.id : '';
}
