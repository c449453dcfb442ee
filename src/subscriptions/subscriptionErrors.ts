import { GraphQLError, Kind, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, formatGatewayError } from '../errors.ts';

/**
 * Gives an error raised before execution the code Apollo gives it over HTTP: graphql-js parse and
 * validation errors carry none, and docs/errors.md promises every error has `extensions.code`.
 * An error that already has a code (a limit's QUERY_TOO_COMPLEX) keeps it.
 */
export function withCode(error: GraphQLError, code: ErrorCode): GraphQLError {
  if (typeof error.extensions.code === 'string') return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

/**
 * What a subscriber sees of an error, formatted as HTTP answers are (`formatGatewayError`), plus:
 * a variable graphql-js could not coerce is BAD_USER_INPUT (Apollo's rule: the error names one
 * variable definition), and the internal `http` status hint, which only Apollo's HTTP layer reads,
 * is removed.
 */
export function formatSubscriptionError(error: GraphQLError): GraphQLFormattedError {
  const coded = isVariableCoercionError(error) ? withCode(error, ErrorCode.BAD_USER_INPUT) : error;
  const formatted = formatGatewayError(coded.toJSON(), coded);
  if (!formatted.extensions || !('http' in formatted.extensions)) return formatted;
  const { http: _http, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

function isVariableCoercionError(error: GraphQLError): boolean {
  return error.nodes?.length === 1 && error.nodes[0]?.kind === Kind.VARIABLE_DEFINITION;
}
