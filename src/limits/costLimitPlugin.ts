import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { QueryTooComplexError } from '../errors.ts';
import { coercedVariables } from './coercedVariables.ts';
import { estimateQueryCost, type CostWeights } from './estimateQueryCost.ts';

/**
 * Refuses an operation whose estimated cost (see `estimateQueryCost`) exceeds `maxCost`, before
 * any resolver runs. A plugin rather than a validation rule because the cost depends on the
 * variables (`first: $first`), which validation never sees; Apollo caches validated documents,
 * not the outcome of this check, so the plugin remembers its own (`CostMemo`).
 */
export function costLimitPlugin<C extends BaseContext>(options: { maxCost: number; weights?: Partial<CostWeights> }): ApolloServerPlugin<C> {
  const memo = new CostMemo();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return; // Apollo answers "no operation" itself right after this hook
          const cost = memo.costOf(document, request.operationName, request.variables, () => {
            const variables = coercedVariables(schema, operation, request.variables);
            // Variables that do not coerce are the client's input: graphql-js refuses them next (BAD_USER_INPUT), not costed.
            if (variables.errors) return null;
            return estimateQueryCost({ schema, document, operation, variables: variables.coerced, weights: options.weights });
          });
          if (cost !== null && cost > options.maxCost) {
            throw new QueryTooComplexError(
              `Query cost ${cost} exceeds the limit of ${options.maxCost}; ask for smaller pages (\`first\`) or fewer nested lists`,
              { limit: 'cost', max: options.maxCost, actual: cost },
            );
          }
        },
      };
    },
  };
}

/** Variables longer than this as JSON (a batch of calls to place) are costed every time, not remembered. */
const MAX_REMEMBERED_VARIABLES_LENGTH = 2_048;
/** Variable sets remembered per document; past it the document's are forgotten and remembered afresh. */
const MAX_REMEMBERED_PER_DOCUMENT = 100;

/**
 * JSON of the variables as parsed from the request: two requests that send the same text (or the
 * same values in the same order) share an entry; any other difference only misses. Null (not
 * remembered) when longer than MAX_REMEMBERED_VARIABLES_LENGTH, or nested past what
 * `JSON.stringify` can recurse through: a variable need not be declared to be sent, and a few KB
 * of `[[[...]]]` made the stringify throw, a 500 for the client's own input.
 */
function memoKey(operationName: string | null | undefined, variables: Readonly<Record<string, unknown>> | null | undefined): string | null {
  let json: string;
  try {
    json = JSON.stringify(variables ?? {});
  } catch {
    return null;
  }
  const key = `${operationName ?? ''}\n${json}`;
  return key.length > MAX_REMEMBERED_VARIABLES_LENGTH ? null : key;
}

/**
 * An operation's cost by its document, operation name and variables as sent: the estimate is a
 * function of exactly these (the schema and weights are the plugin's), so a dashboard polling one
 * query with one set of variables walks its document once, not at every request (the walk and
 * the coercion were about 70 us of a one-conversation query's CPU; issue 9). Apollo hands every
 * request with the same query text the same parsed document, hence the WeakMap. `null`: the
 * variables do not coerce.
 */
class CostMemo {
  readonly #byDocument = new WeakMap<DocumentNode, Map<string, number | null>>();

  costOf(
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Readonly<Record<string, unknown>> | null | undefined,
    estimate: () => number | null,
  ): number | null {
    const key = memoKey(operationName, variables);
    if (key === null) return estimate();
    let costs = this.#byDocument.get(document);
    if (costs === undefined) this.#byDocument.set(document, (costs = new Map()));
    const known = costs.get(key);
    if (known !== undefined) return known;
    const cost = estimate();
    if (costs.size >= MAX_REMEMBERED_PER_DOCUMENT) costs.clear();
    costs.set(key, cost);
    return cost;
  }
}
