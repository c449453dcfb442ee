import type { z } from 'zod';
import type { Provider } from '../../domain/types.ts';
import { ProviderBadResponseError } from '../errors.ts';

/**
 * List pages are read in two steps, so that a query pays for the records it returns, not for every
 * record it fetched. A page of 50 conversations merged from three providers fetches up to 150;
 * validating and mapping all of them (every transcript message, every timestamp) was most of the
 * gateway's CPU per query (issue 9).
 *
 * 1. When the page arrives, each record's **position** is validated and mapped at once: what
 *    ordering, merging, keyset cursors and loader keys read (`kind`, `provider`, `nativeId`,
 *    `createdAt`). A record without a readable position fails the page, as before.
 * 2. Everything else is validated with the record's full zod schema and mapped the first time a
 *    field beyond the position is read, once. A record that breaks the provider's contract then
 *    throws the same typed `ProviderBadResponseError` as a bad page, its `issues` naming the
 *    broken field (`results.7.status`); `settleDeferred` lets the list code catch it per record.
 *
 * The records are `Proxy`s over the position, so connectors keep returning domain objects and
 * nothing downstream needs to know; `settleDeferred` swaps one for its plain mapped object.
 */

const FULL = Symbol('deferred record');

interface Deferred<T> {
  [FULL]: () => T;
}

export interface DeferRecordsOptions<P, W, T> {
  provider: Provider;
  /** Logical endpoint name for errors, as the upstream client names it: `conversations.list`. */
  endpoint: string;
  /** Where the records sit in the body (`results`), for error paths such as `results.7.status`. */
  listPath: string;
  /** The record's full wire schema. */
  schema: z.ZodType<W>;
  map: (wire: W) => T;
  /** The position fields, from the record as the page schema validated it (its position only). */
  position: (record: P) => Partial<T>;
}

/**
 * Defers validation and mapping of a page's records; see the file comment. `records` are the
 * page's items as its envelope schema left them: position checked, every other field raw.
 */
export function deferRecords<P extends object, W, T extends object>(records: readonly P[], options: DeferRecordsOptions<P, W, T>): T[] {
  return records.map((record, index) => deferRecord(record, index, options));
}

function deferRecord<P extends object, W, T extends object>(record: P, index: number, options: DeferRecordsOptions<P, W, T>): T {
  const eager = options.position(record);
  let full: T | undefined;
  let failure: ProviderBadResponseError | undefined;
  const materialize = (): T => {
    if (full !== undefined) return full;
    if (failure !== undefined) throw failure;
    const parsed = options.schema.safeParse(record);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => [options.listPath, index, ...issue.path].join('.'));
      failure = new ProviderBadResponseError(
        `${options.provider} sent a response to ${options.endpoint} that breaks its documented shape at ${issues.slice(0, 5).join(', ')}`,
        { provider: options.provider, endpoint: options.endpoint, httpStatus: 200, issues },
      );
      throw failure;
    }
    full = options.map(parsed.data);
    return full;
  };
  const target: Deferred<T> & Partial<T> = Object.assign(Object.create(null) as object, eager, { [FULL]: materialize });
  return new Proxy(target, {
    get(own, key) {
      if (key === FULL || Object.hasOwn(own, key)) return own[key as keyof typeof own];
      // Promise detection (`await`, graphql-js) asks every value for `then`: no domain object has one.
      if (key === 'then' || typeof key === 'symbol') return undefined;
      return Reflect.get(materialize(), key);
    },
    has: (own, key) => key === FULL || Object.hasOwn(own, key) || key in materialize(),
    ownKeys: () => Reflect.ownKeys(materialize()),
    getOwnPropertyDescriptor: (_own, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(materialize(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
    getPrototypeOf: () => Object.prototype,
  }) as unknown as T;
}

/**
 * The plain domain object behind a deferred record, validated and mapped now; any other value as
 * it is. Throws the record's `ProviderBadResponseError` when it breaks the provider's contract.
 */
export function settleDeferred<T extends object>(value: T): T {
  const materialize = (value as Partial<Deferred<T>>)[FULL];
  return materialize ? materialize() : value;
}
