import type { Provider } from '../domain/types.ts';

/**
 * Typed failures of a provider call. Connectors throw only these; `src/errors.ts` is the one place
 * that turns them into GraphQL errors. Messages are written by us and never contain a credential
 * or the upstream body verbatim (a provider may echo headers or PII back in its error bodies).
 */
export type ProviderErrorCode =
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_TIMEOUT'
  | 'PROVIDER_RATE_LIMITED'
  | 'PROVIDER_BAD_RESPONSE'
  | 'PROVIDER_UNAUTHORIZED'
  | 'PROVIDER_REJECTED'
  | 'UNSUPPORTED_BY_PROVIDER';

export interface ProviderErrorOptions {
  provider: Provider;
  /** Logical endpoint name, e.g. `conversations.list`; safe to log and show. */
  endpoint?: string;
  httpStatus?: number;
  /** Milliseconds the provider asked us to wait, from `Retry-After` or rate-limit headers. */
  retryAfterMs?: number;
  cause?: unknown;
}

export abstract class ProviderError extends Error {
  abstract readonly code: ProviderErrorCode;
  readonly provider: Provider;
  readonly endpoint: string | undefined;
  readonly httpStatus: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: ProviderErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.provider = options.provider;
    this.endpoint = options.endpoint;
    this.httpStatus = options.httpStatus;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Network failure, connection reset, 5xx, or the circuit breaker is open. */
export class ProviderUnavailableError extends ProviderError {
  override readonly name = 'ProviderUnavailableError';
  readonly code = 'PROVIDER_UNAVAILABLE' as const;
}

/** No complete answer within the configured timeout. */
export class ProviderTimeoutError extends ProviderError {
  override readonly name = 'ProviderTimeoutError';
  readonly code = 'PROVIDER_TIMEOUT' as const;
}

/** 429: the provider asked us to slow down; `retryAfterMs` says for how long when it told us. */
export class ProviderRateLimitedError extends ProviderError {
  override readonly name = 'ProviderRateLimitedError';
  readonly code = 'PROVIDER_RATE_LIMITED' as const;
}

/**
 * The request succeeded at the HTTP level but the body broke the documented contract (malformed
 * JSON, missing fields, wrong types). Kept apart from HTTP errors, as ky does, because retrying
 * will rarely help and the fix is on the provider's side or in our wire schema.
 */
export class ProviderBadResponseError extends ProviderError {
  override readonly name = 'ProviderBadResponseError';
  readonly code = 'PROVIDER_BAD_RESPONSE' as const;
  /** Paths of the fields that failed validation, e.g. `results.0.createdAt`; never values. */
  readonly issues: string[];
  constructor(message: string, options: ProviderErrorOptions & { issues?: string[] }) {
    super(message, options);
    this.issues = options.issues ?? [];
  }
}

/** 401/403 from the provider: the workspace's credentials for it are wrong or revoked. */
export class ProviderUnauthorizedError extends ProviderError {
  override readonly name = 'ProviderUnauthorizedError';
  readonly code = 'PROVIDER_UNAUTHORIZED' as const;
}

/** 4xx other than 401/403/404/429: the provider refused what we sent. */
export class ProviderRejectedError extends ProviderError {
  override readonly name = 'ProviderRejectedError';
  readonly code = 'PROVIDER_REJECTED' as const;
}

/** The provider's API has no way to do this (e.g. Trata cannot place calls). */
export class UnsupportedByProviderError extends ProviderError {
  override readonly name = 'UnsupportedByProviderError';
  readonly code = 'UNSUPPORTED_BY_PROVIDER' as const;
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}
