import { getNamedType, GraphQLError, isAbstractType, isObjectType, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import { collectSubfields } from 'graphql/execution/collectFields.js';
import { toGlobalId, type NodeType } from '../domain/globalId.ts';
import type { Agent, Conversation, Prospect } from '../domain/types.ts';
import type { GatewayContext } from '../context.ts';
import type { ConnectionModel } from '../read/connections.ts';

/** The global id of a provider entity. */
export function globalIdOf(type: NodeType, entity: Conversation | Agent | Prospect): string {
  return toGlobalId({ provider: entity.provider, type, nativeId: entity.nativeId });
}

/**
 * Records a provider failure that did not stop the field from answering with the other
 * providers' data. The error carries the field's path so clients can tell which list is partial.
 */
export function reportPartialFailure(context: GatewayContext, info: GraphQLResolveInfo) {
  return (error: unknown): void => {
    const original = error instanceof Error ? error : new Error(String(error));
    context.partialErrors.push(
      new GraphQLError(original.message, { path: pathOf(info), originalError: original, nodes: info.fieldNodes }),
    );
  };
}

function pathOf(info: GraphQLResolveInfo): (string | number)[] {
  const path: (string | number)[] = [];
  for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) path.unshift(p.key);
  return path;
}

/**
 * The fields selected under `fieldNodes` of `type`, by response name, as graphql-js will run them:
 * its own field collection (internal to graphql-js but exported by it, v16), so fragments, aliases
 * and `@skip`/`@include` count exactly as they do when the fields run.
 */
function subfieldsOf(info: GraphQLResolveInfo, type: GraphQLObjectType, fieldNodes: readonly FieldNode[]): Map<string, readonly FieldNode[]> {
  return collectSubfields(info.schema, info.fragments, info.variableValues, type, fieldNodes);
}

/** Whether `field` will run directly under the current field (fragments included, `@skip`/`@include` applied). */
export function selectsField(info: GraphQLResolveInfo, field: string): boolean {
  return selectsFieldAt(info, [field]);
}

/**
 * Whether the field at `path` below the current field will run: each step a field name (whatever
 * alias it is given), through fragments, with `@skip`/`@include` applied, as graphql-js will run
 * it. Used to skip work no selected field needs, so it never answers "no" for a field that runs:
 * below an interface or union it answers "yes" (which object type runs is not known yet), and so
 * it does where graphql-js refuses a directive's argument (`@include(if: $flag)` with `$flag: Boolean
 * = true` sent as null). graphql-js raises that only when it reaches that selection, and only
 * there, with its path; looking ahead must not fail the request sooner or elsewhere.
 */
export function selectsFieldAt(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  let type = getNamedType(info.returnType);
  let fieldNodes: readonly FieldNode[] = info.fieldNodes;
  for (const name of path) {
    if (isAbstractType(type)) return true;
    if (!isObjectType(type)) return false;
    const subfields = subfieldsOrNull(info, type, fieldNodes);
    if (subfields === null) return true;
    const runs = [...subfields.values()].filter((nodes) => nodes[0]!.name.value === name);
    const field = type.getFields()[name];
    if (runs.length === 0 || !field) return false;
    type = getNamedType(field.type);
    fieldNodes = runs.flat();
  }
  return true;
}

/**
 * `subfieldsOf`, or null where graphql-js will refuse the selection when it runs it (a directive's
 * argument it cannot take: `@skip(if: $flag)` with `$flag` null). For look-aheads (`selectsFieldAt`,
 * the reference preload), which must leave that error to graphql-js, raised where it runs the selection.
 */
export function subfieldsOrNull(info: GraphQLResolveInfo, type: GraphQLObjectType, fieldNodes: readonly FieldNode[]): Map<string, readonly FieldNode[]> | null {
  try {
    return subfieldsOf(info, type, fieldNodes);
  } catch {
    return null;
  }
}

/** `nodes` of any connection, derived from its edges. */
export function nodesOf<T>(connection: ConnectionModel<T>): T[] {
  return connection.edges.map((edge) => edge.node);
}
