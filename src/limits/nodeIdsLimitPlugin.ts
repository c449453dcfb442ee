import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Kind, visit, type DocumentNode, type FieldNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { BadUserInputError } from '../errors.ts';

/**
 * Refuses, before any resolver runs, a field whose `ids` argument names more than `maxIds` ids
 * (`nodes(ids:)`), with BAD_USER_INPUT naming the argument. Each id is a lookup, in the store or
 * at a provider (VoiceOS has no batch get: one upstream request per id), so an unbounded list is
 * unbounded work in one request. A plugin rather than a validation rule because the ids usually
 * come in a variable, which validation never sees. The cost estimate counts every id as well.
 */
export function nodeIdsLimitPlugin<C extends BaseContext>(options: { maxIds: number }): ApolloServerPlugin<C> {
  // Apollo hands every request with the same query text the same parsed document: a document
  // that names neither argument anywhere (most queries) is walked once, not twice a request.
  const namesLookupArguments = new WeakMap<DocumentNode, boolean>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          let lookups = namesLookupArguments.get(document);
          if (lookups === undefined) namesLookupArguments.set(document, (lookups = namesAnyArgument(document, LOOKUP_ARGUMENTS)));
          if (!lookups) return;
          // `_entities(representations:)` (federation) is the same lookup per item as `nodes(ids:)`.
          for (const argument of LOOKUP_ARGUMENTS) {
            const largest = largestIdsArgument(document, operation, request.variables, argument);
            if (largest > options.maxIds) {
              throw new BadUserInputError(`Argument "${argument}" names ${largest} ids; at most ${options.maxIds} are allowed`, {
                argument,
                max: options.maxIds,
                actual: largest,
                http: { status: 400 },
              });
            }
          }
        },
      };
    },
  };
}

/** The arguments that list one lookup per item. */
const LOOKUP_ARGUMENTS = ['ids', 'representations'] as const;

/** Whether any field of the document (any operation or fragment) is given one of `names`. */
function namesAnyArgument(document: DocumentNode, names: readonly string[]): boolean {
  let found = false;
  visit(document, {
    Argument(node) {
      if (names.includes(node.name.value)) found = true;
    },
  });
  return found;
}

/** The longest `ids` (or other `argumentName`) list any field of the operation is given (fragments included), 0 when none. */
export function largestIdsArgument(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  argumentName = 'ids',
): number {
  const fragments = new Map(
    document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [])),
  );
  const defaults = new Map(
    (operation.variableDefinitions ?? []).flatMap((definition) =>
      definition.defaultValue ? [[definition.variable.name.value, definition.defaultValue] as const] : [],
    ),
  );
  const listLength = (value: ValueNode): number => {
    if (value.kind === Kind.LIST) return value.values.length;
    if (value.kind === Kind.NULL) return 0;
    if (value.kind !== Kind.VARIABLE) return 1; // one id stands for a list of one
    const name = value.name.value;
    if (variables && Object.hasOwn(variables, name)) {
      const given = variables[name];
      return Array.isArray(given) ? given.length : given === null || given === undefined ? 0 : 1;
    }
    const fallback = defaults.get(name);
    return fallback ? listLength(fallback) : 0;
  };

  // Arguments do not change with where a fragment is spread, so each fragment is visited once.
  const visited = new Set<string>();
  let largest = 0;
  const visit = (selectionSet: SelectionSetNode | undefined): void => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        largest = Math.max(largest, idsLength(selection));
        visit(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        visit(fragments.get(selection.name.value)?.selectionSet);
      }
    }
  };
  const idsLength = (field: FieldNode): number => {
    const ids = field.arguments?.find((argument) => argument.name.value === argumentName);
    return ids ? listLength(ids.value) : 0;
  };
  visit(operation.selectionSet);
  return largest;
}
