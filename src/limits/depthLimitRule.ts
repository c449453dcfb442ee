import { Kind, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import { QueryTooComplexError } from '../errors.ts';

/**
 * Refuses operations whose fields nest deeper than `maxDepth`, counting fields only (fragments
 * and inline fragments add no level) and expanding fragment spreads. `{ a { b { c } } }` has
 * depth 3.
 *
 * Introspection fields (`__schema`, `__type`) are skipped: graphql-js's `MaxIntrospectionDepthRule`
 * already bounds their nesting, and Sandbox's introspection query is deeper than any data query.
 */
export function createDepthLimitRule(maxDepth: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const depth = operationDepth(context, operation.selectionSet);
      if (depth > maxDepth) {
        context.reportError(
          new QueryTooComplexError(
            `Query depth ${depth} exceeds the limit of ${maxDepth}; flatten the query or split it into several requests`,
            { limit: 'depth', max: maxDepth, actual: depth },
            [operation],
          ),
        );
      }
    },
  });
}

function operationDepth(context: ValidationContext, root: SelectionSetNode): number {
  const fragmentDepths = new Map<string, number>();
  const expanding = new Set<string>();

  const depthOf = (selectionSet: SelectionSetNode | undefined): number => {
    let deepest = 0;
    for (const selection of selectionSet?.selections ?? []) {
      let depth: number;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__') && selection.name.value !== '__typename') continue;
        depth = 1 + depthOf(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        depth = depthOf(selection.selectionSet);
      } else {
        depth = fragmentDepth(selection.name.value);
      }
      deepest = Math.max(deepest, depth);
    }
    return deepest;
  };

  const fragmentDepth = (name: string): number => {
    const known = fragmentDepths.get(name);
    if (known !== undefined) return known;
    const fragment = context.getFragment(name);
    if (!fragment || expanding.has(name)) return 0; // cycles are NoFragmentCyclesRule's to report
    expanding.add(name);
    const depth = depthOf(fragment.selectionSet);
    expanding.delete(name);
    fragmentDepths.set(name, depth);
    return depth;
  };

  return depthOf(root);
}
