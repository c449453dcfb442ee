import type { RateLimitInfo } from '../connector.ts';
import { leastRoom } from './leastRoom.ts';

/** What one chunk's request answered: the entities found, and any budget news on the answer. */
export interface IdChunkAnswer<T> {
  items: T[];
  rateLimit?: RateLimitInfo | null;
}

export interface BatchGetOptions<T> {
  /** Most ids one request may name (the provider's `ids` limit). */
  chunkSize: number;
  /** Reads one chunk of distinct, sendable ids. */
  fetchChunk: (ids: string[]) => Promise<IdChunkAnswer<T>>;
  idOf: (item: T) => string;
}

export interface BatchGetResult<T> {
  /** One entry per id asked, in order; null for an id the provider did not return. */
  values: (T | null)[];
  /** Of all answers' budget news, the one with the least room. */
  rateLimit: RateLimitInfo | null;
}

/**
 * Batch get over a list endpoint's comma-separated `ids` parameter: one request per chunk of
 * distinct ids, in parallel, answers in the order asked. Ids that no provider id can be (empty,
 * or holding the comma that separates them) are answered null without asking, so that one odd key
 * can neither widen nor break the request for the others.
 */
export async function batchGetByIds<T>(ids: readonly string[], options: BatchGetOptions<T>): Promise<BatchGetResult<T>> {
  const wanted = [...new Set(ids)].filter((id) => id !== '' && !id.includes(','));
  const chunks: string[][] = [];
  for (let i = 0; i < wanted.length; i += options.chunkSize) chunks.push(wanted.slice(i, i + options.chunkSize));

  const found = new Map<string, T>();
  const answers = await Promise.all(chunks.map(options.fetchChunk));
  for (const answer of answers) {
    for (const item of answer.items) {
      const id = options.idOf(item);
      if (!found.has(id)) found.set(id, item);
    }
  }
  return { values: ids.map((id) => found.get(id) ?? null), rateLimit: leastRoom(answers.map((answer) => answer.rateLimit)) };
}
