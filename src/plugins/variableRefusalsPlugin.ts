import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { nameVariableRefusals } from '../limits/variableRefusals.ts';

/** One listener for every request: it keeps nothing per request. */
const listener: GraphQLRequestListener<BaseContext> = {
  async didEncounterErrors({ errors, operation, request, schema }) {
    if (operation) nameVariableRefusals(schema, operation, request.variables, errors);
  },
};

/**
 * Names the variable, and the place inside it, of graphql-js's refusals of an operation's
 * variables (`extensions.variable`, `extensions.field`) before the errors are formatted: Apollo
 * calls `didEncounterErrors` with the same error objects it then formats.
 */
export const variableRefusalsPlugin: ApolloServerPlugin<BaseContext> = {
  requestDidStart: async () => listener,
};
