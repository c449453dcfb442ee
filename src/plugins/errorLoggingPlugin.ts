import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.ts';
import { clientCodeOf, isRefusedRequest, storeWasUnavailable, underlyingError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { isProviderError } from '../providers/errors.ts';

/**
 * Logs the errors a client only sees as INTERNAL_SERVER_ERROR, with their message and stack, so
 * operators can find the bug the client cannot describe. Provider failures are logged where they
 * happen (`ProviderResilience`, once per upstream attempt); errors that are the client's own
 * (syntax, validation, bad input) only at debug level. Never logs variables, headers or bodies:
 * a variable is the client's data (a phone number, a name, a secret pasted in the wrong field),
 * and the messages of input errors quote it, so a refusal is logged by code and by the names of
 * the variable or argument, never by its message; an unexpected error's message and stack are
 * scrubbed of every variable value as a second line of defence.
 */
export function errorLoggingPlugin(logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, operationName, request, contextValue }) {
          // The request id of the operation's access line, so that the two lines join (an operator trial).
          const requestId = contextValue.requestScope?.requestId;
          const of = requestId === undefined ? {} : { requestId };
          // Built on first use: most errors (provider failures, refusals) never need it.
          let scrubber: ((text: string) => string) | undefined;
          const scrub = (text: string) => (scrubber ??= variableScrubber(request.variables))(text);
          for (const error of errors) {
            const underlying = underlyingError(error);
            const original = underlying instanceof Error ? underlying : error;
            if (isProviderError(original)) continue;
            if (storeWasUnavailable(error)) {
              // Not a bug to hunt: the store's own notice (its process ended, the pool) says why.
              logger.warn('the store was unavailable while resolving a request', { ...of, operationName, path: error.path?.join('.'), reason: scrub(original.message) });
              continue;
            }
            if (isRefusedRequest(original)) {
              // The fan-out's own refusals: fixed text with counts, never the input itself.
              logger.debug('request refused', { ...of, operationName, reason: original.message });
              continue;
            }
            // Apollo's wrappers (parse, validation, coercion) carry the code; a resolver's error carries its own.
            const code = clientCodeOf(error);
            if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
              logger.debug('request refused', { ...of, code, operationName, ...refusalDetails(error, code, scrub) });
            } else {
              logger.error('unexpected error while resolving a request', {
                ...of,
                operationName,
                path: error.path?.join('.'),
                reason: scrub(original.message),
                stack: original.stack === undefined ? undefined : scrub(original.stack),
              });
            }
          }
        },
      };
    },
  };
}

/**
 * Errors about the document itself: graphql-js parses and validates before it looks at any
 * variable, so their messages can only quote the query text.
 */
const DOCUMENT_ERRORS = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'QUERY_TOO_COMPLEX']);

/** What an operator may learn about a refusal: where, and which variable or argument, not what value. */
function refusalDetails(error: GraphQLError, code: string, scrub: (text: string) => string): Record<string, unknown> {
  const details: Record<string, unknown> = {};
  if (error.path) details.path = error.path.join('.');
  // graphql-js names a variable it could not coerce as `Variable "$name" ...`; the name is the client's query text.
  const variable = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)"/.exec(error.message)?.[1];
  if (variable) details.variable = variable;
  if (typeof error.extensions.argument === 'string') details.argument = error.extensions.argument;
  if (DOCUMENT_ERRORS.has(code)) details.reason = scrub(error.message);
  return details;
}

/** Strings shorter than this are ordinary words; scrubbing them would garble every line. */
const MIN_SCRUBBED_LENGTH = 6;

/** Replaces every string in the request's variables (names of JSON keys too) with `[variable]`. */
function variableScrubber(variables: Record<string, unknown> | undefined): (text: string) => string {
  const values = new Set<string>();
  // A loop, not recursion: variables are the client's JSON, nested as deep as it likes (a
  // recursive walk overflowed the stack and turned a parse error into a 500).
  const pending: unknown[] = [variables];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (value.length >= MIN_SCRUBBED_LENGTH) values.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value as unknown[]) pending.push(item);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, inner] of Object.entries(value)) pending.push(key, inner);
    }
  }
  // Longest first, and in the escaped form JSON gives them too (messages often quote values as JSON).
  const forms = [...values].flatMap((value) => [value, JSON.stringify(value).slice(1, -1)]).sort((a, b) => b.length - a.length);
  return (text) => forms.reduce((scrubbed, form) => scrubbed.replaceAll(form, '[variable]'), text);
}
