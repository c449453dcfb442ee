import { RequestNotSentError } from './requestNotSentError.ts';

/**
 * The provider's circuit breaker is open: it failed repeatedly and the gateway is not calling it
 * until the cool-down ends. `retryAfterMs` is the time left. Nothing was sent.
 */
export class CircuitOpenError extends RequestNotSentError {
  override readonly name = 'CircuitOpenError';
}
