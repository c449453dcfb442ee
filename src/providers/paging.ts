import { compareInstants } from '../domain/preciseDate.ts';
import type { Conversation } from '../domain/types.ts';
import type { ConversationListPage, ConversationListRequest, ConversationPosition } from './connector.ts';

/** One page as a provider's list endpoint returns it, already mapped to the domain. */
export interface ProviderPage {
  items: Conversation[];
  /** The provider's count of everything matching the pushed-down filters, when it reports one. */
  totalCount: number | null;
}

export interface PageThroughOptions {
  request: ConversationListRequest;
  /** Items per upstream page; at most what the provider allows. */
  pageSize: number;
  /**
   * Fetches page `pageIndex` (0-based; the connector converts to the provider's convention) of
   * conversations created before `createdBefore` (inclusive or not: both are handled), with
   * every filter the provider can apply pushed down.
   */
  fetchPage: (pageIndex: number, pageSize: number, createdBefore: Date | undefined) => Promise<ProviderPage>;
  /** Filters the provider's API cannot apply; null when everything was pushed down. */
  localFilter: ((conversation: Conversation) => boolean) | null;
  /** Upper bound on upstream pages one call may read while filtering locally. @default 20 */
  maxPages?: number;
}

/**
 * Items per upstream page for one list call. With filters applied locally, the provider's largest
 * page (matches are sparse). Otherwise exactly `limit`, so one upstream page answers the call; after
 * a cursor, `cursorSlack` more, since paging restarts at the cursor's millisecond (see below) and
 * the cursor's own conversation, and any stored in the same instant, come back to be dropped.
 */
export function conversationPageSize(
  request: ConversationListRequest,
  options: { maxPageSize: number; filtersLocally: boolean; cursorSlack: number },
): number {
  if (options.filtersLocally) return options.maxPageSize;
  const slack = request.after ? options.cursorSlack : 0;
  return Math.min(options.maxPageSize, Math.max(1, request.limit) + slack);
}

/** Newest-first order: `createdAt` descending at the provider's full precision, then `nativeId` descending. */
export function compareNewestFirst(a: ConversationPosition, b: ConversationPosition): number {
  const byTime = compareInstants(b.createdAt, a.createdAt);
  if (byTime !== 0) return byTime;
  return a.nativeId < b.nativeId ? 1 : a.nativeId > b.nativeId ? -1 : 0;
}

/**
 * Reads a provider's newest-first conversation list from a keyset position, applying the filters
 * its API lacks, until `limit` items are found or the provider runs out.
 *
 * The keyset position becomes a `createdBefore` bound one millisecond past the position's time,
 * so that conversations sharing the last item's timestamp are fetched again and then dropped here
 * by the exact (time, id) comparison. That keeps cursors valid while new conversations arrive,
 * which offsets would not.
 *
 * Whether more follow is decided from what the provider reported, never by reading one item past
 * `limit`: items left over on the last page read, the provider's total count beyond the rows seen,
 * or, without a total, a full last page (the provider may have more; at worst the next page is
 * empty). Reading `limit + 1` would cost a second upstream page whenever `limit` is the provider's
 * largest page.
 */
/** The answer to a filter the provider can hold nothing for (`QueryPlan.matchesNothing`), without a request. */
export function noConversations(request: ConversationListRequest): ConversationListPage {
  return { items: [], totalCount: request.withTotal ? 0 : null, hasMore: false };
}

export async function pageThroughConversations(options: PageThroughOptions): Promise<ConversationListPage> {
  const { request, pageSize, fetchPage, localFilter } = options;
  const maxPages = options.maxPages ?? 20;
  const after = request.after ?? null;
  const createdBefore = minDate(
    request.filter.createdBefore,
    after ? new Date(after.createdAt.getTime() + 1) : undefined,
  );

  const found: Conversation[] = [];
  let providerTotal: number | null = null;
  let exhausted = false;
  // At least one page, even for `limit: 0`: it tells whether anything matches at all.
  for (let pageIndex = 0; pageIndex < maxPages && (pageIndex === 0 || found.length < request.limit); pageIndex++) {
    const page = await fetchPage(pageIndex, pageSize, createdBefore);
    providerTotal = page.totalCount;
    for (const conversation of page.items) {
      if (after && compareNewestFirst(after, conversation) >= 0) continue;
      if (localFilter && !localFilter(conversation)) continue;
      found.push(conversation);
    }
    const seen = (pageIndex + 1) * pageSize;
    if (page.items.length < pageSize || (page.totalCount !== null && seen >= page.totalCount)) {
      exhausted = true;
      break;
    }
  }
  found.sort(compareNewestFirst);
  const items = found.slice(0, request.limit);
  const hasMore = found.length > request.limit || !exhausted;

  let totalCount: number | null = null;
  if (request.withTotal) {
    if (localFilter === null && after === null && providerTotal !== null) {
      totalCount = providerTotal;
    } else if (localFilter === null) {
      totalCount = (await fetchPage(0, 1, request.filter.createdBefore)).totalCount;
    } else if (after === null && exhausted) {
      totalCount = found.length;
    } else {
      totalCount = await countLocally(options);
    }
  }
  return { items, totalCount, hasMore };
}

/** Counts matches of a filter the provider cannot apply by reading every page (bounded). */
async function countLocally(options: PageThroughOptions): Promise<number | null> {
  const maxPages = options.maxPages ?? 20;
  let count = 0;
  for (let pageIndex = 0; pageIndex < maxPages; pageIndex++) {
    const page = await options.fetchPage(pageIndex, options.pageSize, options.request.filter.createdBefore);
    count += page.items.filter((c) => options.localFilter?.(c) ?? true).length;
    if (page.items.length < options.pageSize) return count;
  }
  return null; // too many pages to count honestly; the API reports null rather than a guess
}

function minDate(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareInstants(a, b) <= 0 ? a : b;
}
