import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { dropSchemaSuggestions } from '../limits/schemaSuggestions.ts';
import { nameVariableRefusals } from '../limits/variableRefusals.ts';

/**
 * Names the variable, and the place inside it, of graphql-js's refusals of an operation's
 * variables (`extensions.variable`, `extensions.field`) before the errors are formatted: Apollo
 * calls `didEncounterErrors` with the same error objects it then formats. With `hideSuggestions`
 * (introspection off) it also drops their "Did you mean …?" (`dropSchemaSuggestions`).
 */
export function variableRefusalsPlugin(options: { hideSuggestions: boolean }): ApolloServerPlugin<BaseContext> {
  // One listener for every request: it keeps nothing per request.
  const listener: GraphQLRequestListener<BaseContext> = {
    async didEncounterErrors({ errors, operation, request, schema }) {
      if (operation) nameVariableRefusals(schema, operation, request.variables, errors);
      if (options.hideSuggestions) dropSchemaSuggestions(errors.filter((error) => error.message.startsWith('Variable "$')));
    },
  };
  return { requestDidStart: async () => listener };
}
