import { CONVERSATION_STATUSES, type ConversationStatus } from './wireTypes.ts';

export interface PageQuery {
  /** 0-based page index. */
  page: number;
  limit: number;
}

export interface ConversationListQuery extends PageQuery {
  status: ConversationStatus | null;
  /** Exclusive bounds on `created_at`, in epoch milliseconds. */
  createdBefore: number | null;
  createdAfter: number | null;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** `page` and `limit` of every list endpoint: a 0-based index, and 1 to 100 items (default 20). */
export function parsePageQuery(query: URLSearchParams): ParseResult<PageQuery> {
  const page = integerParam(query, 'page', 0);
  if (page === null || page < 0) return invalid('page must be an integer of 0 or more');
  const limit = integerParam(query, 'limit', DEFAULT_LIMIT);
  if (limit === null || limit < 1 || limit > MAX_LIMIT) return invalid(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  return { ok: true, value: { page, limit } };
}

/**
 * The documented filters of `GET /v1/conversations`. Parameters the document does not list are
 * ignored, as most APIs do; a listed one with a bad value is refused rather than ignored, so that
 * a client never mistakes an unfiltered list for a filtered one.
 */
export function parseConversationListQuery(query: URLSearchParams): ParseResult<ConversationListQuery> {
  const paging = parsePageQuery(query);
  if (!paging.ok) return paging;

  const rawStatus = query.get('status');
  const status = CONVERSATION_STATUSES.find((candidate) => candidate === rawStatus) ?? null;
  if (rawStatus !== null && status === null) return invalid(`status must be one of ${CONVERSATION_STATUSES.join(', ')}`);

  const createdBefore = dateParam(query, 'created_before');
  if (createdBefore === undefined) return invalid('created_before must be an ISO 8601 date');
  const createdAfter = dateParam(query, 'created_after');
  if (createdAfter === undefined) return invalid('created_after must be an ISO 8601 date');

  return { ok: true, value: { ...paging.value, status, createdBefore, createdAfter } };
}

/** The parameter as a non-negative integer, `fallback` when absent, null when malformed. */
function integerParam(query: URLSearchParams, name: string, fallback: number): number | null {
  const raw = query.get(name);
  if (raw === null) return fallback;
  return /^\d{1,9}$/.test(raw) ? Number(raw) : null;
}

/** Epoch milliseconds, null when absent, undefined when malformed. A time without a zone is UTC. */
function dateParam(query: URLSearchParams, name: string): number | null | undefined {
  const raw = query.get(name);
  if (raw === null) return null;
  const match = ISO_DATE.exec(raw);
  if (!match) return undefined;
  const zoned = raw.includes('T') && match[1] === undefined ? `${raw}Z` : raw;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : ms;
}

function invalid(message: string): { ok: false; message: string } {
  return { ok: false, message };
}
