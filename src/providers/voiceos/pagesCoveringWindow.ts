/** Which fixed-size pages of a page-indexed list hold the rows `[offset, offset + limit)`. */
export interface PageWindow {
  pageSize: number;
  /** Indexes of the pages to fetch, consecutive. */
  pages: number[];
  /** Rows to drop from the start of the first page. */
  skip: number;
}

/**
 * Turns an offset window into page-index requests for an API that only takes `page` and
 * `limit`. Prefers one page of a size between `limit` and `maxPageSize` that holds the whole
 * window (one request); otherwise uses pages of `min(limit, maxPageSize)` rows and spans as few
 * as it must. `limit` must be at least 1.
 */
export function pagesCoveringWindow(offset: number, limit: number, maxPageSize: number): PageWindow {
  const start = Math.max(0, offset);
  const end = start + limit - 1;
  for (let pageSize = limit; pageSize <= maxPageSize; pageSize++) {
    const page = Math.floor(start / pageSize);
    if (page === Math.floor(end / pageSize)) return { pageSize, pages: [page], skip: start - page * pageSize };
  }
  const pageSize = Math.min(limit, maxPageSize);
  const first = Math.floor(start / pageSize);
  const last = Math.floor(end / pageSize);
  return {
    pageSize,
    pages: Array.from({ length: last - first + 1 }, (_, index) => first + index),
    skip: start - first * pageSize,
  };
}
