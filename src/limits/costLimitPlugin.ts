import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { QueryTooComplexError } from '../errors.ts';
import { coercedVariables } from './coercedVariables.ts';
import { estimateQueryCost, type CostWeights } from './estimateQueryCost.ts';

/**
 * Refuses an operation whose estimated cost (see `estimateQueryCost`) exceeds `maxCost`, before
 * any resolver runs. A plugin rather than a validation rule because the cost depends on the
 * variables (`first: $first`), which validation never sees; Apollo caches validated documents,
 * not the outcome of this check.
 */
export function costLimitPlugin<C extends BaseContext>(options: { maxCost: number; weights?: Partial<CostWeights> }): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return; // Apollo answers "no operation" itself right after this hook
          const variables = coercedVariables(schema, operation, request.variables);
          // Variables that do not coerce are the client's input: graphql-js refuses them next (BAD_USER_INPUT), not costed.
          if (variables.errors) return;
          const cost = estimateQueryCost({ schema, document, operation, variables: variables.coerced, weights: options.weights });
          if (cost > options.maxCost) {
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
