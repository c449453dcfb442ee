import { RequestNotSentError } from './requestNotSentError.ts';

/**
 * A create waited so long before it could be sent (in the upstream queue, behind a busy event
 * loop) that sending it now could let it land after the fan-out is entitled to conclude it never
 * happened. It was not sent; its items go back to the queue.
 */
export class SendWindowMissedError extends RequestNotSentError {
  override readonly name = 'SendWindowMissedError';
}
