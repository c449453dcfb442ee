import type { RateLimitInfo } from '../connector.ts';

/**
 * Of several answers' budget news (several chunks, or gateway workspaces sharing one account),
 * the one that leaves the least room: the safe one to believe. Null when none carried any.
 */
export function leastRoom(news: readonly (RateLimitInfo | null | undefined)[]): RateLimitInfo | null {
  let least: RateLimitInfo | null = null;
  for (const info of news) {
    if (!info) continue;
    if (least === null || (info.remaining ?? Infinity) < (least.remaining ?? Infinity)) least = info;
  }
  return least;
}
