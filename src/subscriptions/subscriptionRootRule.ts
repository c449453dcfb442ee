import {
  GraphQLError,
  Kind,
  SingleFieldSubscriptionsRule,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { collectFields } from 'graphql/execution/collectFields.js';

/**
 * graphql-js's SingleFieldSubscriptionsRule ("a subscription selects one root field"), safe for
 * a root-level `@skip`/`@include` whose condition is a variable. graphql-js 16 collects the root
 * fields with no variables at all, so such a condition throws out of `validate` itself: graphql-ws
 * closed the whole socket (4500, graphql-js's raw message), even for `$on: Boolean!` sent as true.
 * Which field a subscription streams must follow from the document alone (graphql-js 17 refuses
 * `@skip`/`@include` at a subscription's root outright); a literal condition still works here, as
 * it did. Used in place of graphql-js's rule by the WebSocket server; over HTTP subscriptions are
 * refused before Apollo sees them (src/http/subscriptionOverHttp.ts).
 */
export function SubscriptionRootRule(context: ValidationContext): ASTVisitor {
  const graphqlJsRule = SingleFieldSubscriptionsRule(context) as { OperationDefinition: (node: OperationDefinitionNode) => void };
  return {
    OperationDefinition(node) {
      if (node.operation !== 'subscription') return;
      const conditioned = rootSelectionsConditionedOnVariables(node.selectionSet, context);
      const subject = node.name ? `Subscription "${node.name.value}"` : 'Anonymous Subscription';
      if (conditioned.length === 0) {
        graphqlJsRule.OperationDefinition(node);
        // graphql-js's rule refuses more than one root field, not none; with none its subscribe throws (4500 for the socket).
        if (selectsNoRootField(node, context)) {
          context.reportError(
            new GraphQLError(`${subject} must select one top level field: its @skip and @include conditions leave it none.`, { nodes: node }),
          );
        }
        return;
      }
      context.reportError(
        new GraphQLError(`${subject} must not choose its root field with a variable: @skip and @include at its root take a literal condition only.`, {
          nodes: conditioned,
        }),
      );
    },
  };
}

/** Whether the root's literal `@skip`/`@include` conditions leave it no field, as graphql-js collects them. */
function selectsNoRootField(node: OperationDefinitionNode, context: ValidationContext): boolean {
  const schema = context.getSchema();
  const subscriptionType = schema.getSubscriptionType();
  if (!subscriptionType) return false; // another rule's error
  const fragments = Object.fromEntries(context.getDocument().definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]));
  return collectFields(schema, fragments, {}, subscriptionType, node.selectionSet).size === 0;
}

/** The root-level selections (fragments included) with a `@skip`/`@include` whose argument is a variable. */
function rootSelectionsConditionedOnVariables(selectionSet: SelectionSetNode, context: ValidationContext): SelectionNode[] {
  const found: SelectionNode[] = [];
  const visited = new Set<FragmentDefinitionNode>(); // a fragment cycle is another rule's error
  const visit = (selections: readonly SelectionNode[]) => {
    for (const selection of selections) {
      const conditioned = selection.directives?.some(
        (directive) =>
          (directive.name.value === 'skip' || directive.name.value === 'include') &&
          directive.arguments?.some((argument) => argument.value.kind === Kind.VARIABLE),
      );
      if (conditioned) found.push(selection);
      if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet.selections);
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = context.getFragment(selection.name.value);
        if (fragment && !visited.has(fragment)) {
          visited.add(fragment);
          visit(fragment.selectionSet.selections);
        }
      }
    }
  };
  visit(selectionSet.selections);
  return found;
}
