import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.ts';
import { formatGatewayError } from '../errors.ts';

/**
 * Appends the errors of providers that failed while others answered to the response, so a
 * client gets the data that could be fetched and, beside it, which provider is missing and why.
 * Formatted here because Apollo formats only errors raised during execution.
 */
export const partialErrorsPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single' || contextValue.partialErrors.length === 0) return;
        const result = response.body.singleResult;
        const formatted = contextValue.partialErrors.map((error) => formatGatewayError(error.toJSON(), error));
        result.errors = [...(result.errors ?? []), ...formatted];
      },
    };
  },
};
