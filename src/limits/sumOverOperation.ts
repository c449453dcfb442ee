import { Kind, type OperationDefinitionNode, type SelectionNode, type SelectionSetNode, type ValidationContext } from 'graphql';

/**
 * Sums `countOwn` over the operation and every selection in it, each fragment counted as often as
 * it is spread, which is what execution would do. Fragment totals are memoized, so a document
 * that spreads fragments exponentially often is still counted in linear time (the total may be
 * huge; that is the point). A fragment cycle counts as zero here: graphql-js's
 * `NoFragmentCyclesRule` refuses the document anyway.
 */
export function sumOverOperation(
  context: ValidationContext,
  operation: OperationDefinitionNode,
  countOwn: (node: OperationDefinitionNode | SelectionNode) => number,
): number {
  const fragmentTotals = new Map<string, number>();
  const expanding = new Set<string>();

  const sumSelectionSet = (selectionSet: SelectionSetNode | undefined): number => {
    let total = 0;
    for (const selection of selectionSet?.selections ?? []) {
      total += countOwn(selection);
      if (selection.kind === Kind.FRAGMENT_SPREAD) total += sumFragment(selection.name.value);
      else total += sumSelectionSet(selection.selectionSet);
    }
    return total;
  };

  const sumFragment = (name: string): number => {
    const known = fragmentTotals.get(name);
    if (known !== undefined) return known;
    const fragment = context.getFragment(name);
    if (!fragment || expanding.has(name)) return 0;
    expanding.add(name);
    const total = sumSelectionSet(fragment.selectionSet);
    expanding.delete(name);
    fragmentTotals.set(name, total);
    return total;
  };

  return countOwn(operation) + sumSelectionSet(operation.selectionSet);
}
