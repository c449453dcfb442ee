import type DataLoader from 'dataloader';
import { getNamedType, isNonNullType, isObjectType, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import type { Conversation, EntityRef } from '../domain/types.ts';
import type { Loaders } from '../loaders.ts';
import { refKey } from '../loaders.ts';
import { subfieldsOrNull } from './resolverSupport.ts';

/**
 * A page's agents and prospects loaded before the page's fields run, so each conversation's
 * `agent` and `prospect` answer synchronously.
 *
 * Loaded the usual way (each field calling `loader.load`), a page of 50 gives graphql-js 100
 * promises to wait for, and every conversation, edge and the list itself become promises too
 * (`promiseForObject`, `Promise.all` over each object's fields): 1,891 promises for a page-50
 * query with the simulators in the process, 846 with the preload (issue 9, BENCHMARKS.md), for
 * the same upstream requests. Preloading asks the same loaders for the same keys, once; a request
 * that does not select the field loads nothing, and neither does a page that a field the provider
 * broke will null as a whole (docs/design.md says what else changes).
 */

/** The settled values of one request's loaders, by loader and key (an `Error` where a provider failed). */
const settledByLoader = new WeakMap<object, Map<string, unknown>>();

/**
 * Loads `refs` through `loader` and keeps what settled for `loadOrSettled`. Never rejects (`loadMany`).
 * The refs are not deduplicated here: the loader does (its cache), and the bench's unbatched
 * server, whose loaders neither batch nor cache, must still ask once per reference.
 */
async function preload(loader: DataLoader<EntityRef, unknown, string>, refs: readonly EntityRef[]): Promise<void> {
  if (refs.length === 0) return;
  const values = await loader.loadMany(refs);
  let settled = settledByLoader.get(loader);
  if (settled === undefined) settledByLoader.set(loader, (settled = new Map()));
  for (const [index, ref] of refs.entries()) settled.set(refKey(ref), values[index]);
}

/**
 * The value `loader.load(ref)` would give: at once when `preload` settled it (a failed provider's
 * error is thrown, as the rejected load would have been), else the load itself.
 */
export function loadOrSettled<V>(loader: DataLoader<EntityRef, V, string>, ref: EntityRef): V | Promise<V> {
  const settled = settledByLoader.get(loader);
  const key = refKey(ref);
  if (settled === undefined || !settled.has(key)) return loader.load(ref);
  const value = settled.get(key);
  if (value instanceof Error) throw value;
  return value as V;
}

/**
 * Preloads the agents and prospects a conversation connection's fields will ask for: only those
 * selected on its `edges { node }` or `nodes`, only saved agents (an embedded one is answered from
 * the record). A reference the provider sent broken is skipped: its field throws that error when
 * it runs, as before. Nothing is preloaded when a selected non-null field of one of the
 * conversations breaks its provider's contract: graphql-js will null the whole connection at that
 * field, and field-by-field loading (what runs then) asks only for the references before it.
 */
export async function preloadConversationReferences(conversations: readonly Conversation[], loaders: Loaders, info: GraphQLResolveInfo): Promise<void> {
  if (conversations.length === 0) return;
  const fields = fieldsSelectedOnNodes(info);
  // graphql-js will refuse part of the selection when it runs it, and says so there: load nothing ahead.
  if (fields === null) return;
  const { selected, nonNull } = fields;
  if (!selected.has('agent') && !selected.has('prospect')) return;
  if (conversations.some((conversation) => breaksAnyOf(conversation, nonNull))) return;
  const agentRefs: EntityRef[] = [];
  const prospectRefs: EntityRef[] = [];
  for (const conversation of conversations) {
    if (selected.has('agent')) {
      const ref = readReference(() => conversation.agentRef);
      if (ref && !ref.embedded) agentRefs.push(ref);
    }
    if (selected.has('prospect')) {
      const ref = readReference(() => conversation.prospectRef);
      if (ref) prospectRefs.push(ref);
    }
  }
  await Promise.all([preload(loaders.agent, agentRefs), preload(loaders.prospect, prospectRefs)]);
}

/**
 * Whether reading one of `fields` of the record throws (a provider record validates a field when it
 * is first read and keeps the value or the error, so graphql-js reads the same again). Only fields
 * the record holds under the field's name are read: the others are derived by resolvers from
 * fields that are (`status` from `status`, `id` from the position).
 */
function breaksAnyOf(conversation: Conversation, fields: ReadonlySet<string>): boolean {
  for (const field of fields) {
    if (!(field in conversation)) continue;
    try {
      void (conversation as unknown as Record<string, unknown>)[field];
    } catch {
      return true;
    }
  }
  return false;
}

function readReference(read: () => EntityRef | null): EntityRef | null {
  try {
    return read();
  } catch {
    return null; // the field reads it again and errors there
  }
}

/**
 * Names of the fields selected on a connection's nodes (through `edges { node }` and `nodes`), as
 * they will run, and which of them are non-null; null when graphql-js will refuse part of that
 * selection when it runs it (`subfieldsOrNull`).
 */
function fieldsSelectedOnNodes(info: GraphQLResolveInfo): { selected: Set<string>; nonNull: Set<string> } | null {
  const selected = new Set<string>();
  const nonNull = new Set<string>();
  const connectionType = getNamedType(info.returnType);
  if (!isObjectType(connectionType)) return { selected, nonNull };
  const fieldType = (type: GraphQLObjectType, name: string) => {
    const named = getNamedType(type.getFields()[name]?.type);
    return named && isObjectType(named) ? named : null;
  };
  /** Adds what runs on the nodes; false when graphql-js will refuse it. */
  const addNodeFields = (nodeType: GraphQLObjectType, nodes: readonly FieldNode[]): boolean => {
    const subfields = subfieldsOrNull(info, nodeType, nodes);
    if (subfields === null) return false;
    for (const fields of subfields.values()) {
      const name = fields[0]!.name.value;
      selected.add(name);
      if (isNonNullType(nodeType.getFields()[name]?.type)) nonNull.add(name);
    }
    return true;
  };
  const connectionFields = subfieldsOrNull(info, connectionType, info.fieldNodes);
  if (connectionFields === null) return null;
  for (const fields of connectionFields.values()) {
    const name = fields[0]!.name.value;
    const type = fieldType(connectionType, name);
    if (!type) continue;
    if (name === 'nodes' && !addNodeFields(type, fields)) return null;
    if (name === 'edges') {
      const edgeFields = subfieldsOrNull(info, type, fields);
      if (edgeFields === null) return null;
      const nodeType = fieldType(type, 'node');
      for (const nodeFields of edgeFields.values()) {
        if (nodeFields[0]!.name.value === 'node' && nodeType && !addNodeFields(nodeType, nodeFields)) return null;
      }
    }
  }
  return { selected, nonNull };
}
