import { RequestNotSentError } from './requestNotSentError.ts';

/**
 * More requests to one provider are waiting for a free connection slot than the gateway is
 * willing to hold. Nothing was sent.
 */
export class UpstreamQueueFullError extends RequestNotSentError {
  override readonly name = 'UpstreamQueueFullError';
}
