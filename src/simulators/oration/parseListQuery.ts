/** Query parameters the (assumed) Oration list endpoints accept. */
export interface OrationListQuery {
  /** 1-based. */
  page: number;
  limit: number;
  /** Batch get: only these ids. */
  ids: string[] | null;
  status: string | null;
  conversationType: string | null;
  agentId: string | null;
  /** Exclusive bounds on `createdAt`, epoch milliseconds. */
  createdAfterMs: number | null;
  createdBeforeMs: number | null;
}

export const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;

export type ParsedListQuery = { ok: true; query: OrationListQuery } | { ok: false; error: string };

/** Parses and validates list parameters; any malformed one fails the whole request (400). */
export function parseListQuery(params: URLSearchParams): ParsedListQuery {
  const page = integer(params.get('page'), 1);
  if (page === null || page < 1) return { ok: false, error: 'page must be an integer of at least 1' };
  const limit = integer(params.get('limit'), DEFAULT_PAGE_SIZE);
  if (limit === null || limit < 1 || limit > MAX_PAGE_SIZE) {
    return { ok: false, error: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}` };
  }
  const rawIds = params.get('ids');
  const ids = rawIds ? rawIds.split(',').map((id) => id.trim()).filter((id) => id !== '') : null;
  if (ids && ids.length > MAX_PAGE_SIZE) return { ok: false, error: `ids may list at most ${MAX_PAGE_SIZE} ids` };
  const createdAfterMs = instant(params.get('createdAfter'));
  const createdBeforeMs = instant(params.get('createdBefore'));
  if (createdAfterMs === undefined) return { ok: false, error: 'createdAfter must be an ISO 8601 date-time' };
  if (createdBeforeMs === undefined) return { ok: false, error: 'createdBefore must be an ISO 8601 date-time' };
  return {
    ok: true,
    query: {
      page,
      limit,
      ids,
      status: params.get('status') || null,
      conversationType: params.get('conversationType') || null,
      agentId: params.get('agentId') || null,
      createdAfterMs,
      createdBeforeMs,
    },
  };
}

function integer(value: string | null, fallback: number): number | null {
  if (value === null || value === '') return fallback;
  return /^\d+$/.test(value) ? Number(value) : null;
}

/** null when absent, undefined when unparseable. */
function instant(value: string | null): number | null | undefined {
  if (value === null || value === '') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
