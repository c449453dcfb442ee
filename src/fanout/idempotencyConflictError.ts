/**
 * The workspace already used this idempotency key for a batch with other content. Retrying the
 * same request is safe; reusing a key for a different request is a client bug worth surfacing.
 */
export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
  readonly code = 'IDEMPOTENCY_CONFLICT' as const;
  readonly idempotencyKey: string;
  /** The batch that holds the key. */
  readonly existingBatchId: string;

  constructor(idempotencyKey: string, existingBatchId: string) {
    super(`The idempotency key was already used for a batch with different content`);
    this.idempotencyKey = idempotencyKey;
    this.existingBatchId = existingBatchId;
  }
}
