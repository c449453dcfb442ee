import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.ts';
import { isRefusedRequest } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { isProviderError } from '../providers/errors.ts';

/**
 * Logs the errors a client only sees as INTERNAL_SERVER_ERROR, with their message and stack, so
 * operators can find the bug the client cannot describe. Provider failures are logged where they
 * happen (`ProviderResilience`, once per upstream attempt); errors that are the client's own
 * (syntax, validation, bad input) only at debug level. Never logs variables, headers or bodies.
 */
export function errorLoggingPlugin(logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, operationName }) {
          for (const error of errors) {
            const original = error.originalError ?? error;
            if (isProviderError(original)) continue;
            if (isRefusedRequest(original)) {
              logger.debug('request refused', { operationName, reason: original.message });
              continue;
            }
            // Apollo's wrappers (parse, validation, coercion) carry the code; a resolver's error carries its own.
            const code = error.extensions.code ?? (original instanceof GraphQLError ? original.extensions.code : undefined);
            if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
              logger.debug('request refused', { code, operationName, reason: error.message });
            } else {
              logger.error('unexpected error while resolving a request', {
                operationName,
                path: error.path?.join('.'),
                reason: original.message,
                stack: original.stack,
              });
            }
          }
        },
      };
    },
  };
}
