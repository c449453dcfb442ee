import { PROVIDERS } from '../domain/types.ts';

/** A list field as the cost estimate sees it: where it is, its arguments, what is selected below it. */
export interface ListFieldUse {
  /** e.g. `Query`, `Agent` */
  parentType: string;
  /** e.g. `conversations` */
  fieldName: string;
  /** Argument values after variables and schema defaults (unknown: not validated yet). */
  args: Readonly<Record<string, unknown>>;
  /** The page size the estimate assumes (`first`, or the fallback when it is not usable). */
  first: number;
  /** Whether `totalCount` is selected directly below the field (fragments included). */
  selectsTotalCount: boolean;
}

/**
 * Upper bound on the upstream requests one list field makes, or null when the list is not served
 * by providers (batches and their items come from the store). Retries are not counted: they only
 * happen when a provider fails, and the retry policy and circuit breaker bound them.
 */
export type UpstreamListRequests = (list: ListFieldUse) => number | null;

/** The largest page every provider's list endpoint serves (see each connector's `MAX_PAGE_SIZE`). */
export const UPSTREAM_PAGE_SIZE = 100;

/**
 * Pages one conversation list may read from one provider while it filters locally (a filter that
 * provider's API cannot apply), and again to count for `totalCount`: `pageThroughConversations`'
 * `maxPages` (src/providers/paging.ts), which no connector overrides.
 */
export const MAX_FILTERED_PAGES = 20;

/**
 * The gateway's lists and what each one costs upstream, per provider asked:
 *
 * - a conversation list whose filter a provider may apply locally (statuses: Trata never pushes
 *   them down; channels: VoiceOS never does; agents: VoiceOS never does; several prospects: Trata
 *   takes one) reads up to MAX_FILTERED_PAGES pages, and as many again to count `totalCount`;
 * - any other conversation list reads the pages holding `first` items (at least one page; whether
 *   more follow comes from the provider's total or a full page, not from one item more), one more
 *   after a cursor (the cursor's instant is read again and its items dropped), and one small page
 *   for `totalCount`;
 * - agents and prospects read at most two pages per provider (an offset window of at most one page
 *   spans two), and one small page per provider for `totalCount`.
 *
 * `Query.conversations` asks every provider unless `filter.providers` narrows it; an agent's or a
 * prospect's conversations ask only that entity's provider. Prospects exist only on Trata, which
 * filters by one prospect upstream. Checked against the simulators by test/hardening/costModel.test.ts.
 */
export const switchboardListRequests: UpstreamListRequests = (list) => {
  switch (`${list.parentType}.${list.fieldName}`) {
    case 'Query.conversations': {
      const filter = recordOf(list.args.filter);
      return providerCount(filter.providers) * conversationPages(list, mayFilterLocally(filter));
    }
    case 'Agent.conversations':
      return conversationPages(list, true);
    case 'Prospect.conversations':
      return conversationPages(list, false);
    case 'Query.agents':
    case 'Query.prospects':
      return providerCount(list.args.providers) * (2 + (list.selectsTotalCount ? 1 : 0));
    default:
      return null;
  }
};

function conversationPages(list: ListFieldUse, filteredLocally: boolean): number {
  if (filteredLocally) return MAX_FILTERED_PAGES * (list.selectsTotalCount ? 2 : 1);
  const afterCursor = list.args.after !== undefined && list.args.after !== null;
  const pages = Math.max(1, Math.ceil(list.first / UPSTREAM_PAGE_SIZE)) + (afterCursor ? 1 : 0);
  return Math.min(MAX_FILTERED_PAGES, pages) + (list.selectsTotalCount ? 1 : 0);
}

function mayFilterLocally(filter: Readonly<Record<string, unknown>>): boolean {
  const count = (value: unknown) => (Array.isArray(value) ? new Set(value).size : value === undefined || value === null ? 0 : 1);
  return count(filter.statuses) > 0 || count(filter.channels) > 0 || count(filter.agentIds) > 0 || count(filter.prospectIds) > 1;
}

/** Providers a `providers` argument leaves, every one when it is absent (or not yet a list). */
function providerCount(providers: unknown): number {
  if (!Array.isArray(providers)) return PROVIDERS.length;
  return new Set(providers.filter((provider) => (PROVIDERS as readonly unknown[]).includes(provider))).size;
}

function recordOf(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
