import type { Provider } from './domain/types.ts';

/**
 * A connector's batch read answered with another number of values than ids it was asked for.
 * Which value belongs to which id is then unknowable, so the read fails as a bug in the
 * gateway (INTERNAL_SERVER_ERROR), never as "not found".
 */
export class BatchContractError extends Error {
  override readonly name = 'BatchContractError';

  constructor(provider: Provider, asked: number, answered: number | null) {
    super(
      `the ${provider} connector broke the batch contract: asked for ${asked} ids, it answered ` +
        (answered === null ? 'with something that is not a list' : `with ${answered} values`),
    );
  }
}
