import type { ApolloServerPlugin, GraphQLResponse } from '@apollo/server';
import type { GatewayContext } from '../context.ts';
import type { OperationOutcome } from './requestScope.ts';

/**
 * Tells the request's scope which operation ran, for whom, and how it ended; the HTTP layer
 * (`observeRequest`) times it and writes the access line. Request-level hooks only, never one per
 * field: resolvers pay nothing for it. Listed after `partialErrorsPlugin`, so a provider's partial
 * failure is part of the outcome.
 */
export function operationObserverPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      const scope = contextValue.requestScope;
      if (!scope) return;
      return {
        async didResolveOperation({ operation }) {
          scope.operationName = operation?.name?.value ?? 'anonymous';
          scope.operationType = operation?.operation ?? null;
        },
        async willSendResponse({ response, contextValue }) {
          scope.workspace = contextValue.workspace?.id ?? null;
          const { outcome, errorCodes } = outcomeOf(response);
          scope.outcome = outcome;
          scope.errorCodes = errorCodes;
        },
      };
    },
  };
}

/** success: no errors; partial: data beside errors (a provider missing, a field failed); error: no data. */
function outcomeOf(response: GraphQLResponse): { outcome: OperationOutcome; errorCodes: string[] } {
  const result = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
  const errors = result.errors ?? [];
  const errorCodes = [...new Set(errors.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
  if (errors.length === 0) return { outcome: 'success', errorCodes };
  return { outcome: result.data === undefined || result.data === null ? 'error' : 'partial', errorCodes };
}
