import { RequestNotSentError } from './requestNotSentError.ts';

/**
 * More requests of one provider account are waiting for a free connection slot to the provider
 * than the gateway is willing to hold for that account. Nothing was sent. Only the account whose
 * own line is full gets it; other accounts of the same provider keep their places.
 */
export class UpstreamQueueFullError extends RequestNotSentError {
  override readonly name = 'UpstreamQueueFullError';
}
