import Negotiator from 'negotiator';
import { Decimal } from '../../domain/decimal.ts';
import { readClientInstant } from '../../domain/preciseDate.ts';
import { CONVERSATION_CHANNELS, CONVERSATION_STATUSES, END_REASONS, PROVIDERS, SENTIMENTS } from '../../domain/types.ts';
import type { AnalyticsFilter } from '../analyticsFilter.ts';
import { EXPORT_KINDS, type ExportKind } from './exportKinds.ts';

export type ExportFormat = 'csv' | 'ndjson';

export interface ExportRequest {
  kind: ExportKind;
  format: ExportFormat;
  filter: AnalyticsFilter;
  /** Rows changed after this: a watermark (`change_seq`) from an earlier export, or an instant (`synced_at`). */
  updatedSince: { seq: bigint } | { at: Date } | null;
}

/** A bad request: the HTTP status and a message naming the parameter. */
export class ExportRequestError extends Error {
  readonly status: number;
  readonly parameter: string | null;
  constructor(status: number, message: string, parameter: string | null = null) {
    super(message);
    this.status = status;
    this.parameter = parameter;
  }
}

const PATH = /^\/exports\/([a-z-]+?)(?:\.(csv|ndjson))?$/;

/** A number as GraphQL's Float literal writes it: `90`, `-1`, `12.5`, `1e3`. */
const FLOAT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

// The domain's own lists, each checked against its filter field's type, so a new value is accepted
// here as soon as the domain has it.
const ENUMS = {
  providers: PROVIDERS,
  statuses: CONVERSATION_STATUSES,
  channels: CONVERSATION_CHANNELS,
  endReasons: END_REASONS,
  sentiments: SENTIMENTS,
} satisfies { [Field in keyof AnalyticsFilter]?: AnalyticsFilter[Field] };
const ID_LISTS = ['agentIds', 'prospectIds'] as const satisfies readonly (keyof AnalyticsFilter)[];
const INSTANTS = ['createdAfter', 'createdBefore'] as const satisfies readonly (keyof AnalyticsFilter)[];
const DECIMALS = ['costMin', 'costMax'] as const satisfies readonly (keyof AnalyticsFilter)[];
const NUMBERS = ['durationSecondsMin', 'durationSecondsMax', 'talkSecondsMin', 'talkSecondsMax'] as const satisfies readonly (keyof AnalyticsFilter)[];
const SINGLE_VALUED = [...INSTANTS, ...DECIMALS, ...NUMBERS, 'hasCost', 'updatedSince', 'format'];
// Every filter field is a parameter: one added to the filter (or to `conversations`') fails to
// compile here, naming it, until it is in one of the lists above.
const unreadFilterFields: Record<
  Exclude<keyof AnalyticsFilter, keyof typeof ENUMS | (typeof ID_LISTS | typeof INSTANTS | typeof DECIMALS | typeof NUMBERS)[number] | 'hasCost'>,
  never
> = {};
const KNOWN = new Set([...Object.keys(ENUMS), ...ID_LISTS, ...SINGLE_VALUED]);

/** The export a path names, with its extension (`csv`, `ndjson`, none), or the 404 of a path that names none. */
export function exportOfPath(path: string): { kind: ExportKind; extension: string | undefined } | ExportRequestError {
  const [, kind, extension] = PATH.exec(path) ?? [];
  if (kind && (EXPORT_KINDS as readonly string[]).includes(kind)) return { kind: kind as ExportKind, extension };
  return new ExportRequestError(404, `Not found: ${path.slice(0, 120)}. Exports are /exports/{${EXPORT_KINDS.join(',')}}[.csv|.ndjson]`);
}

/** Whether a path is one of the exports' (so the route answers it, even with an error). */
export function isExportPath(path: string): boolean {
  return path.startsWith('/exports/');
}

/**
 * Reads `GET /exports/<kind>[.csv|.ndjson]?<filters>`: the format from the extension, else
 * `?format=`, else `Accept` (`text/csv`, `application/x-ndjson`, `application/ndjson`), else CSV.
 * Lists are comma-separated or repeated (`providers=VOICEOS,TRATA` is `providers=VOICEOS&providers=TRATA`:
 * the union). Unknown parameters, a single-valued one given twice and an empty list value are
 * refused, so a typo never silently widens an export.
 */
export function parseExportRequest(path: string, search: URLSearchParams, accept: string | undefined): ExportRequest {
  const named = exportOfPath(path);
  if (named instanceof ExportRequestError) throw named;
  for (const key of search.keys()) if (!KNOWN.has(key)) throw new ExportRequestError(400, `Unknown parameter "${key.slice(0, 60)}"`, key);
  // `?hasCost=true&hasCost=false` has no one reading; picking either would be a guess.
  for (const key of SINGLE_VALUED) {
    const count = search.getAll(key).length;
    if (count > 1) throw new ExportRequestError(400, `${key}: given ${count} times; it takes one value`, key);
  }

  // Repeated list parameters are one list (their union). An empty value (`?statuses=`, or an empty
  // item as in `statuses=ENDED,`) is refused: "no filter" and "match nothing" are both plausible
  // readings, and GraphQL's empty list means the latter.
  const list = (key: string) => {
    const values = search.getAll(key).flatMap((each) => each.split(',')).map((each) => each.trim());
    if (values.length === 0) return null;
    if (values.every((each) => each === '')) {
      throw new ExportRequestError(400, `${key}: empty value; give at least one value, or leave the parameter out to not filter on it`, key);
    }
    if (values.includes('')) throw new ExportRequestError(400, `${key}: an empty item in the list (a trailing or doubled comma)`, key);
    return values;
  };
  const filter: AnalyticsFilter = {};
  const mutable = filter as Record<string, unknown>;
  for (const [key, allowed] of Object.entries(ENUMS)) {
    const values = list(key);
    const bad = values?.find((value) => !(allowed as readonly string[]).includes(value));
    if (bad !== undefined) throw new ExportRequestError(400, `${key}: "${bad.slice(0, 60)}" is not one of ${allowed.join(', ')}`, key);
    if (values) mutable[key] = values;
  }
  for (const key of ID_LISTS) {
    const values = list(key);
    if (values) mutable[key] = values;
  }
  for (const key of INSTANTS) {
    const value = search.get(key);
    if (value === null) continue;
    const read = readClientInstant(value);
    if ('refused' in read) throw new ExportRequestError(400, `${key}: "${value.slice(0, 60)}" ${read.refused}${plusHint(value)}`, key);
    mutable[key] = read.instant;
  }
  for (const key of DECIMALS) {
    const value = search.get(key);
    if (value === null) continue;
    const amount = Decimal.parseInput(value);
    if (!amount) throw new ExportRequestError(400, `${key}: "${value.slice(0, 60)}" is not a decimal (digits with an optional leading minus and fraction, such as 0.0352)`, key);
    mutable[key] = amount;
  }
  for (const key of NUMBERS) {
    const value = search.get(key);
    if (value === null) continue;
    // Written as GraphQL writes a Float: `Number` also took " 5", "0x10" and "+5".
    const number = FLOAT.test(value) ? Number(value) : Number.NaN;
    if (!Number.isFinite(number)) throw new ExportRequestError(400, `${key}: "${value.slice(0, 60)}" is not a number (such as 90 or 12.5)`, key);
    mutable[key] = number;
  }
  const hasCost = search.get('hasCost');
  if (hasCost !== null) {
    if (hasCost !== 'true' && hasCost !== 'false') throw new ExportRequestError(400, 'hasCost: expected true or false', 'hasCost');
    filter.hasCost = hasCost === 'true';
  }

  return { kind: named.kind, format: formatOf(named.extension, search.get('format'), accept), filter, updatedSince: updatedSinceOf(search.get('updatedSince')) };
}

function formatOf(extension: string | undefined, parameter: string | null, accept: string | undefined): ExportFormat {
  if (parameter !== null && parameter !== 'csv' && parameter !== 'ndjson') {
    throw new ExportRequestError(400, 'format: expected csv or ndjson', 'format');
  }
  if (extension === 'csv' || extension === 'ndjson') {
    // Two explicit choices that disagree are refused, like a parameter given twice: never silently resolved.
    if (parameter !== null && parameter !== extension) {
      throw new ExportRequestError(400, `format: ${parameter} contradicts the path's .${extension}; give one of them`, 'format');
    }
    return extension;
  }
  if (parameter !== null) return parameter;
  // No Accept (or an empty one) takes CSV. Otherwise the media type the client prefers most by
  // q-value among those served (CSV first on a tie): `text/csv;q=0` refuses CSV, and
  // `application/x-ndjson;q=0.5, text/csv` picks CSV (found trying the exports as a BI tool would).
  if (accept === undefined || accept.trim() === '') return 'csv';
  const best = new Negotiator({ headers: { accept } }).mediaType([...EXPORT_MEDIA_TYPES.keys()]);
  const format = best === undefined ? undefined : EXPORT_MEDIA_TYPES.get(best);
  if (format === undefined) throw new ExportRequestError(406, 'Accept: exports are text/csv or application/x-ndjson');
  return format;
}

/** The `Content-Type` each format is served with. */
export const EXPORT_CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8; header=present',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/**
 * The media types an export answers to, in the order a tie between them is broken, with the
 * parameters it is served with: an Accept range that names parameters (`text/csv; charset=utf-8`)
 * matches only a type that has them, so bare types made such a range match nothing (a BI trial).
 */
const EXPORT_MEDIA_TYPES: ReadonlyMap<string, ExportFormat> = new Map([
  [EXPORT_CONTENT_TYPES.csv, 'csv'],
  [EXPORT_CONTENT_TYPES.ndjson, 'ndjson'],
  ['application/ndjson; charset=utf-8', 'ndjson'],
  ['application/jsonl; charset=utf-8', 'ndjson'],
]);

/** The largest PostgreSQL bigint, the type of `change_seq`. */
const MAX_WATERMARK = 9_223_372_036_854_775_807n;

function updatedSinceOf(value: string | null): ExportRequest['updatedSince'] {
  if (value === null) return null;
  if (/^\d+$/.test(value)) {
    // Watermarks are PostgreSQL bigints; a larger number would fail the query, not the request.
    const seq = BigInt(value);
    if (seq > MAX_WATERMARK) throw new ExportRequestError(400, `updatedSince: a watermark is at most ${MAX_WATERMARK}`, 'updatedSince');
    return { seq };
  }
  const read = readClientInstant(value);
  if ('refused' in read) throw new ExportRequestError(400, `updatedSince: expected the watermark of an earlier export (an integer) or a date-time, which ${read.refused}${plusHint(value)}`, 'updatedSince');
  return { at: read.instant };
}

/** A `+02:00` offset sent unencoded in a URL's query arrives as ` 02:00` (form encoding): say so. */
function plusHint(value: string): string {
  return /\d \d{2}:\d{2}$/.test(value) ? '; a "+" in a URL\'s query reads as a space: send the offset\'s "+" as %2B' : '';
}
