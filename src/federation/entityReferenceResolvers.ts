import type { GatewayContext } from '../context.ts';
import { BadUserInputError } from '../errors.ts';
import { isJsonObject } from '../providers/kit/boundedJson.ts';
import { loadAgent, loadBatch, loadConversation, loadProspect } from '../resolvers/Query.ts';
/** The types another subgraph may reference or extend, each keyed by its global `id`. */
export const ENTITY_TYPES = ['Conversation', 'Agent', 'Prospect', 'ConversationBatch'] as const;

type EntityType = (typeof ENTITY_TYPES)[number];

/** What a router sends for an entity: its type name and its key. */
export interface EntityRepresentation {
  __typename: EntityType;
  id: string;
}

/**
 * Loads one entity by its global id, through the request's DataLoaders exactly as `node(id:)`
 * loads it (batched per provider, scoped to the caller's workspace). An id that is malformed, of
 * another type or of another workspace answers NOT_FOUND, as `node` does.
 */
const loadEntity: Record<EntityType, (id: string, context: GatewayContext) => Promise<{ kind: string }>> = {
  Conversation: loadConversation,
  Agent: loadAgent,
  Prospect: loadProspect,
  ConversationBatch: loadBatch,
};

/**
 * `Query._entities`, in place of @apollo/subgraph's: each representation is resolved on its own,
 * so one that cannot be gives its error at its index and the others still resolve. Its resolver
 * threw at the first representation of a type the schema lacks, after starting the ones before
 * it: the field failed as INTERNAL_SERVER_ERROR, and those lookups' NOT_FOUND rejections went
 * unheard, which ended the process. `_Any` is unchecked JSON, so every item is read defensively.
 */
export function resolveEntities(representations: readonly unknown[], context: GatewayContext): Promise<{ kind: string }>[] {
  return representations.map(async (representation, index) => {
    const entity = entityRepresentationOf(representation);
    if (!entity) {
      throw new BadUserInputError(
        `representations[${index}] is no entity reference of this subgraph: it needs a __typename of ${ENTITY_TYPES.join(', ')} and an id`,
        { argument: 'representations', index },
      );
    }
    return loadEntity[entity.__typename](entity.id, context);
  });
}

function entityRepresentationOf(value: unknown): EntityRepresentation | null {
  if (!isJsonObject(value)) return null;
  const { __typename: typename, id } = value;
  // An id that is no string is no id of ours: the representation is malformed, not an entity not found.
  if (typeof id !== 'string' || typeof typename !== 'string' || !(ENTITY_TYPES as readonly string[]).includes(typename)) return null;
  return { __typename: typename as EntityType, id };
}
