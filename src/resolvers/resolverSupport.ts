import { GraphQLError, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
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

/** Whether the client selected `field` directly under the current field (fragments included). */
export function selectsField(info: GraphQLResolveInfo, field: string): boolean {
  const visit = (selectionSet: SelectionSetNode | undefined): boolean =>
    selectionSet?.selections.some((selection) => {
      if (selection.kind === 'Field') return selection.name.value === field;
      if (selection.kind === 'InlineFragment') return visit(selection.selectionSet);
      const fragment = info.fragments[selection.name.value];
      return fragment ? visit(fragment.selectionSet) : false;
    }) ?? false;
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}

/** `nodes` of any connection, derived from its edges. */
export function nodesOf<T>(connection: ConnectionModel<T>): T[] {
  return connection.edges.map((edge) => edge.node);
}
