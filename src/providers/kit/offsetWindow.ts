import type { OffsetPage, OffsetRequest } from '../connector.ts';

/** Which `page`/`limit` pages cover an offset window, and where the window starts in them. */
export interface OffsetWindowPlan {
  pageSize: number;
  /** 0-based index of the first page to read; connectors convert to their API's convention. */
  firstPageIndex: number;
  pageCount: number;
  /** Items to drop from the first page. */
  skip: number;
}

/**
 * Providers page by `page` and `limit`, the gateway by `offset` and `limit`. Prefers the smallest
 * page size that holds the whole window in one page (offset 5, limit 10 -> pages of 15, the
 * first), so most windows cost one request; otherwise reads consecutive pages of the window's
 * own size (at most the provider's largest page).
 */
export function planOffsetWindow(request: OffsetRequest, maxPageSize: number): OffsetWindowPlan {
  const offset = Math.max(0, Math.floor(request.offset));
  const limit = Math.floor(request.limit);
  // Nothing to read, but the total still comes with the smallest page.
  if (limit <= 0) return { pageSize: 1, firstPageIndex: 0, pageCount: 1, skip: 0 };

  const last = offset + limit - 1;
  for (let pageSize = limit; pageSize <= maxPageSize; pageSize++) {
    const page = Math.floor(offset / pageSize);
    if (page === Math.floor(last / pageSize)) return { pageSize, firstPageIndex: page, pageCount: 1, skip: offset - page * pageSize };
  }
  const pageSize = Math.min(limit, maxPageSize);
  const first = Math.floor(offset / pageSize);
  return { pageSize, firstPageIndex: first, pageCount: Math.floor(last / pageSize) - first + 1, skip: offset - first * pageSize };
}

/** One page as the provider answered it. */
export interface CountedPage<T> {
  items: T[];
  /** The provider's count of all rows, when it reports one. */
  total: number | null;
}

/**
 * Reads an offset window through a page fetcher (0-based page index), the pages in parallel. The
 * total is the provider's; without one, what is known to exist (exact once a short page was read).
 */
export async function readOffsetWindow<T>(
  request: OffsetRequest,
  maxPageSize: number,
  fetchPage: (pageIndex: number, pageSize: number) => Promise<CountedPage<T>>,
): Promise<OffsetPage<T>> {
  const plan = planOffsetWindow(request, maxPageSize);
  const pages = await Promise.all(Array.from({ length: plan.pageCount }, (_, i) => fetchPage(plan.firstPageIndex + i, plan.pageSize)));
  const rows = pages.flatMap((page) => page.items);
  const items = rows.slice(plan.skip, plan.skip + Math.max(0, request.limit));
  const total = pages[0]?.total ?? null;
  return { items, totalCount: total ?? plan.firstPageIndex * plan.pageSize + rows.length };
}
