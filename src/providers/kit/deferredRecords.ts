import type { Provider } from '../../domain/types.ts';
import { ProviderBadResponseError } from '../errors.ts';
import { isJsonObject } from './boundedJson.ts';
import { mapField, type FieldMapping, type RecordFields, type RecordPosition, type SharedReadings } from './recordFields.ts';

/**
 * List pages are read field by field, so that a query pays for the fields it reads of the records
 * it returns, not for every field of every record it fetched. A page of 50 conversations merged
 * from three providers fetches up to 150 records of ~35 fields each (every transcript message,
 * every timestamp); validating and mapping all of them was most of the gateway's CPU per query
 * (issue 9).
 *
 * 1. When the page arrives, each record's **position** is checked by hand and mapped at once: what
 *    ordering, merging, keyset cursors and loader keys read (`provider`, `nativeId`, and a listed
 *    conversation's `createdAt`). A record without a readable position fails the page with the
 *    zod issues of the position's wire fields (`data.0.createdAt`).
 * 2. Every other domain field is validated (the zod schema of just the wire fields it reads, see
 *    `recordFields.ts`) and mapped the first time it is read, once. A field whose wire fields break
 *    the provider's contract throws a typed `ProviderBadResponseError` naming them
 *    (`results.7.status`) each time it is read, so the GraphQL error lands on that field; the
 *    record's other fields still read.
 *
 * The records are `Proxy`s over their position, so connectors keep returning domain objects and
 * nothing downstream needs to know: spreads, key walks and `toEqual` see every field (a spread of a
 * record with a broken field throws that field's error).
 */

/** The fields every deferred record has mapped from the start (and `createdAt` for listed conversations). */
interface Positioned {
  provider: Provider;
  nativeId: string;
}

export interface DeferRecordsOptions<W, T> {
  provider: Provider;
  /** Logical endpoint name for errors, as the upstream client names it: `conversations.list`. */
  endpoint: string;
  /**
   * Where the records sit in the body (`results`), for error paths such as `results.7.status`;
   * null when the body is the one record (a get by id), whose paths are its own (`cost.total`).
   */
  listPath: string | null;
  /** The record's fields: its wire schema and each domain field's mapping. */
  fields: RecordFields<W, T>;
  /** Where the record's id (and a listed conversation's creation time) is, read by hand for every record fetched. */
  position: RecordPosition;
}

interface DeferredState extends SharedReadings {
  record: Readonly<Record<string, unknown>>;
  index: number;
  options: DeferRecordsOptions<unknown, object>;
  /** Fields whose wire fields broke the contract, with the error each read throws. */
  failures: Map<string, ProviderBadResponseError> | null;
}

const STATE = Symbol('deferred record');

/** The proxy's target: the fields mapped so far (the position first), and the record's state. */
type Target = Record<string, unknown> & { [STATE]: DeferredState };

/**
 * Defers validation and mapping of a page's records; see the file comment. Throws the page's
 * `ProviderBadResponseError` when a record has no readable position.
 */
export function deferRecords<W, T extends Positioned>(records: readonly unknown[], options: DeferRecordsOptions<W, T>): T[] {
  const { idKey, createdAt: time } = options.position;
  const deferred: T[] = [];
  let issues: string[] | null = null;
  for (let index = 0; index < records.length; index++) {
    const record = records[index];
    const id = isJsonObject(record) ? record[idKey] : undefined;
    const createdAtText = time && isJsonObject(record) ? record[time.key] : undefined;
    const createdAt = time && typeof createdAtText === 'string' ? time.parse(createdAtText) : null;
    if (typeof id !== 'string' || id === '' || (time && createdAt === null)) {
      const positionFields = time ? (['nativeId', 'createdAt'] as const) : (['nativeId'] as const);
      const found = positionFields.flatMap((key) => {
        const result = options.fields.schemaOf(key as keyof T & string).safeParse(record);
        return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
      });
      (issues ??= []).push(...(found.length > 0 ? found : ['(position)']).map((path) => pathIn(options.listPath, index, [path])));
      continue;
    }
    const state: DeferredState = { record: record as Record<string, unknown>, index, options: options as unknown as DeferRecordsOptions<unknown, object>, failures: null, shared: null };
    const target = (time ? { provider: options.provider, nativeId: id, createdAt, [STATE]: state } : { provider: options.provider, nativeId: id, [STATE]: state }) as Target;
    deferred.push(new Proxy(target, handler) as unknown as T);
  }
  if (issues !== null) throw badResponse(options, issues);
  return deferred;
}

/** A wire field's path in the answer: under the list and the record's index, or the record's own. */
function pathIn(listPath: string | null, index: number, path: readonly PropertyKey[]): string {
  return (listPath === null ? path : [listPath, index, ...path]).map(String).join('.');
}

/** What a field that reads no wire field is mapped from (as its picked schema would answer). */
const NO_WIRE_FIELDS: Readonly<Record<string, never>> = Object.freeze({});

/** Validates and maps one field of a deferred record, keeps it on the target, and answers it. */
function settleField(target: Target, key: string): unknown {
  const state = target[STATE];
  const failure = state.failures?.get(key);
  if (failure !== undefined) throw failure;
  const { fields, listPath } = state.options;
  const mapping = (fields.table as Record<string, FieldMapping<unknown, unknown>>)[key]!;
  // A field that reads no wire field (kind, provider, a constant) has nothing to validate.
  const parsed = mapping.reads.length === 0 ? { success: true as const, data: NO_WIRE_FIELDS } : fields.schemaOf(key as never).safeParse(state.record);
  if (!parsed.success) {
    const error = badResponse(
      state.options,
      parsed.error.issues.map((issue) => pathIn(listPath, state.index, issue.path)),
    );
    (state.failures ??= new Map()).set(key, error);
    throw error;
  }
  // A shared reading is taken from the first of its fields read (they all read its wire fields, just validated).
  const value = mapField(mapping, parsed.data, state);
  target[key] = value;
  return value;
}

function isField(target: Target, key: PropertyKey): key is string {
  return typeof key === 'string' && Object.hasOwn(target[STATE].options.fields.table, key);
}

/** One handler for every deferred record (its state is on the target): no closures per record. */
const handler: ProxyHandler<Target> = {
  get(target, key) {
    // Promise detection (`await`, graphql-js's isPromise on every value it completes) asks for
    // `then` most of all: no domain object has one, so it is answered before any lookup.
    if (key === 'then') return undefined;
    const value = target[key as string];
    if (value !== undefined || Object.hasOwn(target, key)) return value;
    return isField(target, key) ? settleField(target, key) : undefined;
  },
  has: (target, key) => isField(target, key),
  ownKeys: (target) => [...target[STATE].options.fields.keys],
  getOwnPropertyDescriptor(target, key) {
    if (!isField(target, key)) return undefined;
    const value = Object.hasOwn(target, key) ? target[key] : settleField(target, key);
    return { value, writable: true, enumerable: true, configurable: true };
  },
  getPrototypeOf: () => Object.prototype,
};

function badResponse(options: { provider: Provider; endpoint: string }, issues: string[]): ProviderBadResponseError {
  return new ProviderBadResponseError(
    `${options.provider} sent a response to ${options.endpoint} that breaks its documented shape at ${issues.slice(0, 5).join(', ')}`,
    { provider: options.provider, endpoint: options.endpoint, httpStatus: 200, issues },
  );
}
