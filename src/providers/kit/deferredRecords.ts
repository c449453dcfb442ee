import type { z } from 'zod';
import type { Provider } from '../../domain/types.ts';
import { ProviderBadResponseError } from '../errors.ts';

/**
 * List pages are read in two steps, so that a query pays for the records it returns, not for every
 * record it fetched. A page of 50 conversations merged from three providers fetches up to 150;
 * validating and mapping all of them (every transcript message, every timestamp) was most of the
 * gateway's CPU per query (issue 9).
 *
 * 1. When the page arrives, each record's **position** is checked and mapped at once: what
 *    ordering, merging, keyset cursors and loader keys read (`kind`, `provider`, `nativeId`,
 *    `createdAt`). A record without a readable position fails the page, as before, with the
 *    zod issues of `positionSchema` (`data.0.createdAt`).
 * 2. Everything else is validated with the record's full zod schema and mapped the first time a
 *    field beyond the position is read, once. A record that breaks the provider's contract then
 *    throws the same typed `ProviderBadResponseError` as a bad page, its `issues` naming the
 *    broken field (`results.7.status`); `settleDeferred` lets the list code catch it per record.
 *
 * The records are `Proxy`s over the position, so connectors keep returning domain objects and
 * nothing downstream needs to know; `settleDeferred` swaps one for its plain mapped object.
 */

const STATE = Symbol('deferred record');

export interface DeferRecordsOptions<W, T> {
  provider: Provider;
  /** Logical endpoint name for errors, as the upstream client names it: `conversations.list`. */
  endpoint: string;
  /** Where the records sit in the body (`results`), for error paths such as `results.7.status`. */
  listPath: string;
  /** The record's full wire schema. */
  schema: z.ZodType<W>;
  map: (wire: W) => T;
  /**
   * The position fields of a raw record, or null when it has no readable position. A hand check,
   * not zod: it runs for every record fetched.
   */
  position: (record: Readonly<Record<string, unknown>>) => Partial<T> | null;
  /** The zod schema of the position fields, run only to name what is wrong with a record `position` refused. */
  positionSchema: z.ZodType;
}

interface DeferredState<W, T> {
  record: unknown;
  index: number;
  options: DeferRecordsOptions<W, T>;
  full?: T;
  failure?: ProviderBadResponseError;
}

type Target = Record<PropertyKey, unknown> & { [STATE]: DeferredState<unknown, object> };

/**
 * Defers validation and mapping of a page's records; see the file comment. Throws the page's
 * `ProviderBadResponseError` when a record has no readable position.
 */
export function deferRecords<W, T extends object>(records: readonly unknown[], options: DeferRecordsOptions<W, T>): T[] {
  const deferred: T[] = [];
  let issues: string[] | null = null;
  records.forEach((record, index) => {
    const position = isObject(record) ? options.position(record) : null;
    if (position === null) {
      const parsed = options.positionSchema.safeParse(record);
      const found = parsed.success ? ['(position)'] : parsed.error.issues.map((issue) => issue.path.join('.'));
      (issues ??= []).push(...found.map((path) => `${options.listPath}.${index}.${path}`));
      return;
    }
    const state: DeferredState<W, T> = { record, index, options };
    const target = Object.assign(Object.create(null) as object, position, { [STATE]: state }) as Target;
    deferred.push(new Proxy(target, handler) as unknown as T);
  });
  if (issues !== null) throw badResponse(options, issues);
  return deferred;
}

/**
 * The plain domain object behind a deferred record, validated and mapped now; any other value as
 * it is. Throws the record's `ProviderBadResponseError` when it breaks the provider's contract.
 */
export function settleDeferred<T extends object>(value: T): T {
  const state = (value as Partial<Target>)[STATE];
  return state ? (materialize(state) as T) : value;
}

function materialize<W, T>(state: DeferredState<W, T>): T {
  if (state.full !== undefined) return state.full;
  if (state.failure !== undefined) throw state.failure;
  const { options } = state;
  const parsed = options.schema.safeParse(state.record);
  if (!parsed.success) {
    state.failure = badResponse(
      options,
      parsed.error.issues.map((issue) => [options.listPath, state.index, ...issue.path].join('.')),
    );
    throw state.failure;
  }
  state.full = options.map(parsed.data);
  return state.full;
}

/** One handler for every deferred record (its state is on the target): no closures per record. */
const handler: ProxyHandler<Target> = {
  get(own, key) {
    if (Object.hasOwn(own, key)) return own[key];
    // Promise detection (`await`, graphql-js) asks every value for `then`: no domain object has one.
    if (key === 'then' || typeof key === 'symbol') return undefined;
    return Reflect.get(materialize(own[STATE]), key);
  },
  has: (own, key) => Object.hasOwn(own, key) || key in materialize(own[STATE]),
  ownKeys: (own) => Reflect.ownKeys(materialize(own[STATE])),
  getOwnPropertyDescriptor(own, key) {
    const descriptor = Reflect.getOwnPropertyDescriptor(materialize(own[STATE]), key);
    return descriptor && { ...descriptor, configurable: true };
  },
  getPrototypeOf: () => Object.prototype,
};

function badResponse(options: { provider: Provider; endpoint: string }, issues: string[]): ProviderBadResponseError {
  return new ProviderBadResponseError(
    `${options.provider} sent a response to ${options.endpoint} that breaks its documented shape at ${issues.slice(0, 5).join(', ')}`,
    { provider: options.provider, endpoint: options.endpoint, httpStatus: 200, issues },
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
