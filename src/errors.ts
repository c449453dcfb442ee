import { GraphQLError, isValueNode, type ASTNode, type GraphQLFormattedError } from 'graphql';
import { BatchValidationError } from './fanout/batchValidationError.ts';
import { IdempotencyConflictError } from './fanout/idempotencyConflictError.ts';
import { isProviderError, ProviderBadResponseError } from './providers/errors.ts';
import { isRefusedLiteral, namedInputError, ScalarInputError } from './resolvers/scalars/scalarInputError.ts';
import { isStoreUnavailable } from './store/storeUnavailable.ts';
import { rateLimitMessage, type RateLimitRefusal } from './limits/workspaceRateLimit.ts';

/**
 * Every `extensions.code` the gateway can answer with. Clients may switch on these; docs/errors.md
 * documents each.
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PROVIDER_UNAVAILABLE: 'PROVIDER_UNAVAILABLE',
  PROVIDER_TIMEOUT: 'PROVIDER_TIMEOUT',
  PROVIDER_RATE_LIMITED: 'PROVIDER_RATE_LIMITED',
  PROVIDER_BAD_RESPONSE: 'PROVIDER_BAD_RESPONSE',
  PROVIDER_UNAUTHORIZED: 'PROVIDER_UNAUTHORIZED',
  PROVIDER_REJECTED: 'PROVIDER_REJECTED',
  UNSUPPORTED_BY_PROVIDER: 'UNSUPPORTED_BY_PROVIDER',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  // The workspace passed its request limit on this replica (SWITCHBOARD_RATE_LIMIT_PER_MINUTE).
  RATE_LIMITED: 'RATE_LIMITED',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  // Raised by Apollo Server itself before any resolver runs; listed so clients can switch on them too.
  BAD_REQUEST: 'BAD_REQUEST',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  // Automatic persisted queries (Apollo's): the client sends the query again with its hash.
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  // Answered by the HTTP routes beside GraphQL (exports, webhooks, the explorer, CORS) only.
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  NOT_ACCEPTABLE: 'NOT_ACCEPTABLE',
  TOO_MANY_EXPORTS: 'TOO_MANY_EXPORTS',
  CORS_ORIGIN_REFUSED: 'CORS_ORIGIN_REFUSED',
  EXPLORER_UNAVAILABLE: 'EXPLORER_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class UnauthenticatedError extends GraphQLError {
  constructor(message = 'Missing or invalid API key. Send `Authorization: Bearer <key>` or `x-api-key: <key>`.') {
    super(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
  }
}

export class NotFoundError extends GraphQLError {
  constructor(type: string, id: string) {
    super(`No ${type} with id "${truncate(id, 120)}"`, { extensions: { code: ErrorCode.NOT_FOUND } });
  }
}

export class BadUserInputError extends GraphQLError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, ...extensions } });
  }
}

/** Which query limit a refused operation broke; see `src/limits/queryLimits.ts`. */
export type QueryLimitName = 'depth' | 'aliases' | 'directives' | 'cost';

/**
 * The workspace passed its request limit on this replica (`WorkspaceRateLimit`): 429 with
 * `Retry-After`, before the request's body is read. `retryAfterSeconds` says the same as the header.
 */
export class RateLimitedError extends GraphQLError {
  constructor(refusal: RateLimitRefusal) {
    super(rateLimitMessage(refusal), {
      extensions: {
        code: ErrorCode.RATE_LIMITED,
        ...refusal,
        http: { status: 429, headers: new Map([['retry-after', String(refusal.retryAfterSeconds)]]) },
      },
    });
  }
}

/**
 * A query refused before execution because it breaks one of the documented limits. The
 * extensions name the limit, its maximum and what the query measured, so a client can tell how
 * far over it is.
 */
export class QueryTooComplexError extends GraphQLError {
  constructor(message: string, details: { limit: QueryLimitName; max: number; actual: number }, nodes?: readonly ASTNode[]) {
    super(message, {
      ...(nodes && { nodes }),
      extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, ...details, http: { status: 400 } },
    });
  }
}

/** Refusals the fan-out raises on purpose (bad batch, reused idempotency key): the client's, not a bug. */
export function isRefusedRequest(error: unknown): boolean {
  return error instanceof BatchValidationError || error instanceof IdempotencyConflictError;
}

/**
 * The one mapping from internal failures to what a client sees. Provider errors keep their code
 * and gain `provider` (and `retryAfterSeconds` for rate limits); anything unexpected becomes a
 * bare INTERNAL_SERVER_ERROR so no stack, SQL or upstream body leaks.
 */
export function formatGatewayError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = underlyingError(error);
  if (original instanceof BatchValidationError) {
    // Every problem named by index and field; UNSUPPORTED_BY_PROVIDER when that is all that is wrong.
    const unsupportedOnly = original.problems.every((problem) => problem.code === 'UNSUPPORTED_BY_PROVIDER');
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: {
        code: unsupportedOnly ? ErrorCode.UNSUPPORTED_BY_PROVIDER : ErrorCode.BAD_USER_INPUT,
        problems: original.problems,
      },
    };
  }
  if (original instanceof IdempotencyConflictError) {
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.CONFLICT, idempotencyKey: original.idempotencyKey },
    };
  }
  if (isProviderError(original)) {
    const extensions: Record<string, unknown> = {
      code: original.code,
      provider: original.provider,
    };
    if (original.endpoint) extensions.endpoint = original.endpoint;
    if (original.retryAfterMs !== undefined) extensions.retryAfterSeconds = Math.ceil(original.retryAfterMs / 1000);
    if (original instanceof ProviderBadResponseError && original.issues.length > 0) {
      extensions.invalidFields = original.issues.slice(0, 10);
    }
    return { message: original.message, locations: formatted.locations, path: formatted.path, extensions };
  }
  if (storeWasUnavailable(error)) {
    return { message: STORE_UNAVAILABLE_MESSAGE, locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.STORE_UNAVAILABLE } };
  }
  if (error instanceof GraphQLError && (original instanceof ScalarInputError || isRefusedLiteral(error))) return namedInputError(formatted, error);
  const code = clientCodeOf(error) ?? formatted.extensions?.code;
  if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    // The client's own error, raised on purpose (by us, graphql-js or Apollo): safe to show, without a stack trace.
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions: { ...extensions, code } };
  }
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

/**
 * What a client is told when the store was out of reach: no SQL, no host, no driver's words. A
 * commit cut off mid-way may have happened, so a mutation is retried with its idempotency key.
 */
export const STORE_UNAVAILABLE_MESSAGE =
  "The gateway's store could not be reached or did not answer in time; retry the request (a mutation that takes an idempotencyKey with the same key: it cannot take effect twice)";

/** The same for the HTTP routes (exports, webhooks), where no mutation or idempotency key is involved. */
export const ROUTE_STORE_UNAVAILABLE_MESSAGE = "The gateway's store could not be reached or did not answer in time; retry the request after Retry-After";

/** Whether an error, or one it wraps, is the store being out of reach (`isStoreUnavailable`). */
export function storeWasUnavailable(error: unknown): boolean {
  return causeChain(error).some(isStoreUnavailable);
}

/**
 * The code an error that is the client's own is answered (and logged) with, or undefined: the
 * first code along its chain (`codeInChain`), except where that code says less than the error does.
 * A query limit's refusal is QUERY_TOO_COMPLEX (Apollo labels validation-rule errors
 * GRAPHQL_VALIDATION_FAILED); graphql-js's uncoded refusal of an argument is BAD_USER_INPUT, and
 * Apollo's uncoded 4xx is BAD_REQUEST (both would read as INTERNAL_SERVER_ERROR).
 * `formatGatewayError` and the error log both ask this, so what a client sees and what is logged agree.
 */
export function clientCodeOf(error: unknown): unknown {
  if (underlyingError(error) instanceof QueryTooComplexError) return ErrorCode.QUERY_TOO_COMPLEX;
  if (isRefusedArgumentValue(error)) return ErrorCode.BAD_USER_INPUT;
  if (isUncodedClientError(error)) return ErrorCode.BAD_REQUEST;
  return codeInChain(error);
}

/**
 * An argument graphql-js refused while executing: a variable that validation lets through because
 * it has a default (`$flag: Boolean = true` where `Boolean!` is expected, in `@include(if: $flag)`
 * or a field's argument), sent as null. graphql-js raises it on the field or selection where it
 * reads the argument, with the argument named in the message and the value as the error's node; it
 * carries no code, so it read as INTERNAL_SERVER_ERROR. It is the client's input.
 */
function isRefusedArgumentValue(error: unknown): boolean {
  const chain = causeChain(error);
  const refused = chain.at(-1);
  const node = refused instanceof GraphQLError ? refused.nodes?.[0] : undefined;
  // Only where nothing in the chain has a code: validation errors point at values too, and Apollo's wrapper codes them.
  const uncoded = chain.every((each) => each instanceof GraphQLError && each.extensions.code === undefined);
  return uncoded && node !== undefined && isValueNode(node);
}

/**
 * What an error is underneath the GraphQLErrors around it: graphql-js wraps what a resolver throws
 * once, a variable's refused value twice (the value, then the variable), and a GraphQLError made
 * around an already located error (a partial failure, a re-coded subscription error) adds another.
 * Every reader of an error's kind asks this, so no wrapper depth turns a provider error internal.
 */
export function underlyingError(error: unknown): unknown {
  return causeChain(error).at(-1);
}

/**
 * An error Apollo Server raises about the request itself with an HTTP status of 4xx and no code:
 * an automatic persisted query whose hash does not match its query, or of a version other than 1.
 * Apollo would label it INTERNAL_SERVER_ERROR (and we logged it as a bug); it is BAD_REQUEST.
 */
function isUncodedClientError(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || codeInChain(error) !== undefined) return false;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** The first `extensions.code` from the outermost GraphQLError in: the wrapper's, else the one it wraps. */
function codeInChain(error: unknown): unknown {
  return causeChain(error).find((each): each is GraphQLError => each instanceof GraphQLError && each.extensions.code !== undefined)?.extensions.code;
}

/** The error, then what it wraps, and so on: graphql-js and Apollo wrap errors in GraphQLErrors. */
function causeChain(error: unknown): unknown[] {
  const chain = [error];
  let cause = error;
  while (cause instanceof GraphQLError && cause.originalError) {
    cause = cause.originalError;
    chain.push(cause);
  }
  return chain;
}

function truncate(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
