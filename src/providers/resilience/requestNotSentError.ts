import { ProviderError } from '../errors.ts';

/**
 * A call the gateway refused locally, before any byte went to the provider. Clients see
 * PROVIDER_UNAVAILABLE like any outage; code that must know whether a create may have happened
 * (the fan-out's failure classification) can rely on this class: nothing was sent, so the same
 * items can be queued again without any risk of a duplicate.
 */
export abstract class RequestNotSentError extends ProviderError {
  readonly code = 'PROVIDER_UNAVAILABLE' as const;
}
