import type { OffsetPage, OffsetRequest } from '../connector.ts';

/** Which `page`/`limit` pages cover an offset window, and where the window starts in them. */
export interface OffsetWindowPlan {
  pageSize: number;
  /** 1-based, as Trata counts pages. */
  firstPage: number;
  pageCount: number;
  /** Items to drop from the first page. */
  skip: number;
}

/**
 * Trata pages by `page` and `limit`, the gateway by `offset` and `limit`. Prefers the smallest page
 * size that holds the whole window in one page (offset 5, limit 10 -> pages of 15, page 1), so
 * most windows cost one request; otherwise reads consecutive pages of the window's own size.
 */
export function planOffsetWindow(request: OffsetRequest, maxPageSize: number): OffsetWindowPlan {
  const offset = Math.max(0, Math.floor(request.offset));
  const limit = Math.floor(request.limit);
  // Nothing to read, but the total still comes with the smallest page.
  if (limit <= 0) return { pageSize: 1, firstPage: 1, pageCount: 1, skip: 0 };

  const last = offset + limit - 1;
  for (let pageSize = limit; pageSize <= maxPageSize; pageSize++) {
    const page = Math.floor(offset / pageSize);
    if (page === Math.floor(last / pageSize)) {
      return { pageSize, firstPage: page + 1, pageCount: 1, skip: offset - page * pageSize };
    }
  }
  const pageSize = Math.min(limit, maxPageSize);
  const first = Math.floor(offset / pageSize);
  return {
    pageSize,
    firstPage: first + 1,
    pageCount: Math.floor(last / pageSize) - first + 1,
    skip: offset - first * pageSize,
  };
}

/** Reads an offset window through a 1-based page fetcher, the pages in parallel. */
export async function readOffsetWindow<T>(
  request: OffsetRequest,
  maxPageSize: number,
  fetchPage: (page: number, pageSize: number) => Promise<{ items: T[]; total: number }>,
): Promise<OffsetPage<T>> {
  const plan = planOffsetWindow(request, maxPageSize);
  const pages = await Promise.all(
    Array.from({ length: plan.pageCount }, (_, i) => fetchPage(plan.firstPage + i, plan.pageSize)),
  );
  const items = pages.flatMap((page) => page.items).slice(plan.skip, plan.skip + Math.max(0, request.limit));
  return { items, totalCount: pages[0]?.total ?? 0 };
}
