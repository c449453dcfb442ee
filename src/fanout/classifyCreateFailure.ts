import { isProviderError } from '../providers/errors.ts';
import { RequestNotSentError } from '../providers/resilience/requestNotSentError.ts';
import { SendWindowMissedError } from '../providers/resilience/sendWindowMissedError.ts';

/**
 * What a failed create request means for its items:
 * - RATE_LIMITED: a 429; sending waits for Retry-After. When the creator's creates are
 *   all-or-nothing, the provider created nothing (`createdNothing`) and the same items go back to
 *   the queue; otherwise part of the request may have been created, so the items are reconciled
 *   like an unclear answer before anything is sent again.
 * - NOT_SENT: the gateway held the request back (circuit open, queue full) or the connection was
 *   refused; nothing reached the provider, so requeue too, and pause sending for a while.
 * - REFUSED: the provider answered and refused the request (4xx, credentials, unsupported):
 *   the items FAIL with the reason, since sending them again would be refused again.
 * - AMBIGUOUS: no clear answer (timeout, reset, 5xx, a body we cannot read, anything unknown):
 *   the provider may have created them. They stay DISPATCHING for reconciliation and are never
 *   re-sent blindly; a second dial of a customer is the one failure that cannot be undone.
 */
export type CreateFailure =
  | { kind: 'RATE_LIMITED'; retryAfterMs: number | null; createdNothing: boolean; reason: string }
  | { kind: 'NOT_SENT'; reason: string; retryAfterMs: number | null }
  | { kind: 'REFUSED'; code: string; reason: string }
  | { kind: 'AMBIGUOUS'; reason: string };

export function classifyCreateFailure(error: unknown, creator: { allOrNothing: boolean }): CreateFailure {
  if (error instanceof SendWindowMissedError) {
    // The gateway's own queue was slow, not the provider: send again at once, freshly dispatched.
    return { kind: 'NOT_SENT', reason: error.message, retryAfterMs: 0 };
  }
  if (error instanceof RequestNotSentError) {
    return { kind: 'NOT_SENT', reason: error.message, retryAfterMs: error.retryAfterMs ?? null };
  }
  if (!isProviderError(error)) {
    return { kind: 'AMBIGUOUS', reason: `create failed unexpectedly: ${error instanceof Error ? error.message : String(error)}` };
  }
  switch (error.code) {
    case 'PROVIDER_RATE_LIMITED':
      return { kind: 'RATE_LIMITED', retryAfterMs: error.retryAfterMs ?? null, createdNothing: creator.allOrNothing, reason: error.message };
    case 'PROVIDER_REJECTED':
    case 'PROVIDER_UNAUTHORIZED':
    case 'UNSUPPORTED_BY_PROVIDER':
      return { kind: 'REFUSED', code: error.code, reason: error.message };
    case 'PROVIDER_UNAVAILABLE':
      return causeCode(error.cause) === 'ECONNREFUSED'
        ? { kind: 'NOT_SENT', reason: error.message, retryAfterMs: null }
        : { kind: 'AMBIGUOUS', reason: error.message };
    case 'PROVIDER_TIMEOUT':
    case 'PROVIDER_BAD_RESPONSE':
      return { kind: 'AMBIGUOUS', reason: error.message };
  }
}

function causeCode(cause: unknown): string | null {
  return cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? cause.code : null;
}
