import type { z } from 'zod';

/**
 * A domain record described field by field: for each domain field, the wire fields it reads and
 * how it is mapped from them. One table serves two readers:
 *
 * - `map(wire)` maps a record validated whole (batch gets, creates, tests): every field.
 * - `deferRecords` (deferredRecords.ts) validates and maps one domain field the first time it is
 *   read, with the zod schema of just the wire fields it reads (`schemaOf`). A page of 50
 *   conversations answered with 8 fields then pays for those 8, not for the ~35 every record has.
 *
 * The table lists every domain field (the type says so), so a field cannot be forgotten; a field's
 * `map` is typed to see only the wire fields it declares, so it cannot read one it did not
 * validate.
 */

/** How one domain field is read: its wire fields and the mapping from them. */
export interface FieldMapping<W, V> {
  readonly reads: readonly (keyof W & string)[];
  /** The field from its wire fields alone (a shared reading, if it has one, taken afresh). */
  readonly map: (wire: W) => V;
  /** For a field derived from a shared reading (`sharedReadingOf`): the reading, and the field's part of it. */
  readonly shared?: { readonly reading: SharedReading<W>; readonly pick: (value: unknown) => V };
}

/**
 * What several domain fields of a record derive from the same wire fields (a decoded JSON string,
 * times parsed and subtracted): taken once per record, however many of those fields are read.
 */
export interface SharedReading<W> {
  readonly read: (wire: W) => unknown;
}

/** Every domain field of `T` and how it is read from a wire record `W`. */
export type FieldTable<W, T> = { readonly [K in keyof T]-?: FieldMapping<W, T[K]> };

/**
 * A typed field mapping: `map` sees only the wire fields in `reads`.
 * Use as `const field = fieldOf<MyWire>()`, then `field(['status'], (w) => …)`.
 */
export function fieldOf<W>() {
  return <const R extends keyof W & string, V>(reads: readonly R[], map: (wire: Pick<W, R>) => V): FieldMapping<W, V> => ({ reads, map });
}

/**
 * Fields that share one reading of the same wire fields, taken once per record (`mapField`).
 * Use as `const shared = sharedReadingOf<MyWire>()`, `const span = shared(['start', 'end'], (w) => …)`,
 * then `talkSeconds: span((s) => s.talk)`. Each field reads exactly the reading's wire fields, so a
 * broken wire field errors on every field that derives from it and on no other.
 */
export function sharedReadingOf<W>() {
  return <const R extends keyof W & string, S>(reads: readonly R[], read: (wire: Pick<W, R>) => S) => {
    const reading: SharedReading<W> = { read };
    return <V>(pick: (value: S) => V): FieldMapping<W, V> => ({
      reads,
      map: (wire) => pick(read(wire)),
      // The kit hands `pick` only what this reading's `read` returned.
      shared: { reading, pick: (value) => pick(value as S) },
    });
  };
}

/** The shared readings taken of one record so far, by reading; null until the first. */
export interface SharedReadings {
  shared: Map<SharedReading<never>, unknown> | null;
}

/** One field of a record, mapped from `wire`; a shared reading is taken once per `record`. */
export function mapField<W, V>(mapping: FieldMapping<W, V>, wire: W, record: SharedReadings): V {
  const part = mapping.shared;
  if (part === undefined) return mapping.map(wire);
  const taken = (record.shared ??= new Map());
  if (taken.has(part.reading)) return part.pick(taken.get(part.reading));
  const value = part.reading.read(wire);
  taken.set(part.reading, value);
  return part.pick(value);
}

/** Where a record's position is: what merging, cursors and loader keys read of every record fetched. */
export interface RecordPosition {
  /** The wire field holding the record's id (a non-empty string). */
  idKey: string;
  /** Where its creation time is, for records listed in that order (conversations); else absent. */
  createdAt?: {
    key: string;
    /** The time read from its wire text, or null when it is not a time the wire schema accepts. */
    parse: (text: string) => Date | null;
  };
}

/** The position of a record fetched by id (agents, prospects): the id in `id`, no creation time read. */
export const ID_POSITION: RecordPosition = Object.freeze({ idKey: 'id' });

export interface RecordFields<W, T> {
  /** The record's whole wire schema. */
  readonly schema: z.ZodType<W>;
  /** Domain fields in the order the mapped record has them. */
  readonly keys: readonly (keyof T & string)[];
  readonly table: FieldTable<W, T>;
  /** Maps a record validated whole. */
  map(wire: W): T;
  /** The zod schema of the wire fields one domain field reads, built once and kept. */
  schemaOf(key: keyof T & string): z.ZodType;
}

/** The zod object methods the table needs of a record schema. */
interface PickableSchema<W> extends z.ZodType<W> {
  pick(mask: Record<string, true>): z.ZodType;
}

export function recordFields<W, T>(schema: PickableSchema<W>, table: FieldTable<W, T>): RecordFields<W, T> {
  const keys = Object.keys(table) as (keyof T & string)[];
  const schemas = new Map<string, z.ZodType>();
  return {
    schema,
    keys,
    table,
    map(wire) {
      const mapped: Partial<Record<keyof T, unknown>> = {};
      const record: SharedReadings = { shared: null };
      for (const key of keys) mapped[key] = mapField(table[key], wire, record);
      return mapped as T;
    },
    schemaOf(key) {
      let picked = schemas.get(key);
      if (picked === undefined) {
        picked = schema.pick(Object.fromEntries(table[key].reads.map((read) => [read, true] as const)));
        schemas.set(key, picked);
      }
      return picked;
    },
  };
}
