import { z } from 'zod';
import type { GlobalIdParts } from '../domain/globalId.ts';
import { compareInstants, FIRST_WRITABLE_MILLISECOND, LAST_WRITABLE_MILLISECOND, nanosOfMillisecond, PreciseDate } from '../domain/preciseDate.ts';
import {
  PROVIDERS,
  type Conversation,
  type ConversationChannel,
  type ConversationStatus,
  type Provider,
} from '../domain/types.ts';
import type { ConversationFilter, ConversationListPage, ConversationPosition } from '../providers/connector.ts';
import type { Workspace } from '../workspaces/workspaceRegistry.ts';
import { connectionOf, edgeOf, type ConversationConnectionModel } from './connections.ts';
import { argumentsScope, cursorCodec, decodeAfter } from './cursor.ts';
import { filterIdsOfType } from './filterIds.ts';

/** The filter as the API accepts it: global ids, optional provider restriction. */
export interface ConversationQueryFilter {
  providers?: readonly Provider[] | null;
  statuses?: readonly ConversationStatus[] | null;
  channels?: readonly ConversationChannel[] | null;
  agentIds?: readonly string[] | null;
  prospectIds?: readonly string[] | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

export interface ListConversationsOptions {
  workspace: Workspace;
  first: number;
  after: string | null | undefined;
  filter: ConversationQueryFilter;
  withTotal: boolean;
  /** Called for each provider that failed; the others' conversations are still returned. */
  onProviderError: (error: unknown) => void;
  /**
   * Called with every conversation returned, so per-request loaders can be primed. Not with the
   * ones fetched and cut off by the merge (up to two thirds of a page from three providers): kept
   * in a loader, their raw records would live as long as the request and V8 would copy them at
   * every young-generation collection of a busy moment, then promote them (issue 9, GC).
   */
  onReturned?: (conversation: Conversation) => void;
}

/** Position of a conversation in the merged order: newest first, then provider, then native id descending. */
const mergedPositionSchema = z.object({
  // An instant of the years 0001-9999, as every record's is: beyond them a provider's bound would
  // be refused upstream, or (at a Date's last millisecond) not be a date at all (a forged cursor).
  t: z.number().int().min(FIRST_WRITABLE_MILLISECOND).max(LAST_WRITABLE_MILLISECOND),
  // Nanoseconds past `t`'s millisecond (Trata's microseconds); absent in cursors issued before.
  n: z.number().int().min(0).max(999_999).default(0),
  p: z.enum(PROVIDERS),
  id: z.string(),
});
type MergedPosition = z.infer<typeof mergedPositionSchema>;
const conversationCursor = cursorCodec('conversations', mergedPositionSchema);

/**
 * Lists conversations of every provider merged newest first.
 *
 * Each provider is asked for at most `first` conversations after the cursor, in parallel, with
 * the filters pushed down; the results are merged and cut to `first`. The cursor is a keyset
 * position (time, provider, id), not an offset, so a page boundary stays put while new
 * conversations are created at the top, and each provider can resume from it on its own.
 */
export async function listConversations(options: ListConversationsOptions): Promise<ConversationConnectionModel> {
  const { workspace, first, filter } = options;
  // The workspace and the filter (an agent's or a prospect's conversations name it there too);
  // digested only when a cursor is read or written, which most pages' queries never do.
  let scope: string | undefined;
  const scopeOf = () => (scope ??= argumentsScope({ workspace: workspace.id, filter }));
  const after = decodeAfter(conversationCursor, options.after, scopeOf);
  const plans = planProviders(workspace, filter);

  const pages = await Promise.all(
    plans.map(async ({ provider, providerFilter }): Promise<[Provider, ConversationListPage | null]> => {
      const connector = workspace.connectors.get(provider);
      if (!connector) return [provider, null];
      try {
        const page = await connector.listConversations({
          filter: providerFilter,
          after: after ? providerPosition(after, provider) : null,
          limit: first,
          withTotal: options.withTotal,
        });
        return [provider, page];
      } catch (error) {
        options.onProviderError(error);
        return [provider, null];
      }
    }),
  );

  const merged: Conversation[] = [];
  let hasMoreUpstream = false;
  let totalCount: number | null = 0;
  for (const [, page] of pages) {
    if (!page) continue;
    merged.push(...page.items);
    hasMoreUpstream ||= page.hasMore;
    totalCount = totalCount === null || page.totalCount === null ? null : totalCount + page.totalCount;
  }
  merged.sort(compareMerged);
  // Only the returned records' fields are ever validated and mapped, and only those a query reads:
  // the connectors defer everything past a record's position (`src/providers/kit/deferredRecords.ts`).
  const returned = merged.slice(0, first);
  for (const conversation of returned) options.onReturned?.(conversation);
  const edges = returned.map((node) => edgeOf(node, () => conversationCursor.encode(positionOf(node), scopeOf())));
  return connectionOf(edges, merged.length > first || hasMoreUpstream, options.withTotal ? totalCount : null, after !== null);
}

interface ProviderPlan {
  provider: Provider;
  providerFilter: ConversationFilter;
}

/**
 * Decides which providers can hold matches and translates the filter for each. Agent and
 * prospect ids belong to one provider, so a filter on them rules the other providers out
 * without asking them.
 */
function planProviders(workspace: Workspace, filter: ConversationQueryFilter): ProviderPlan[] {
  const agents = filter.agentIds ? filterIdsOfType(filter.agentIds, 'Agent', 'agentIds') : null;
  const prospects = filter.prospectIds ? filterIdsOfType(filter.prospectIds, 'Prospect', 'prospectIds') : null;
  // An empty list matches nothing (an IN over the empty set), on every list filter alike: the
  // same rule as `conversationStats`, so no provider is asked.
  const lists = [filter.providers, filter.statuses, filter.channels, filter.agentIds, filter.prospectIds];
  if (lists.some((list) => list?.length === 0)) return [];
  const plans: ProviderPlan[] = [];
  for (const provider of PROVIDERS) {
    if (!workspace.connectors.has(provider)) continue;
    if (filter.providers && !filter.providers.includes(provider)) continue;
    const providerFilter: ConversationFilter = {};
    if (filter.statuses) providerFilter.statuses = filter.statuses;
    if (filter.channels) providerFilter.channels = filter.channels;
    if (filter.createdAfter) providerFilter.createdAfter = filter.createdAfter;
    if (filter.createdBefore) providerFilter.createdBefore = filter.createdBefore;
    if (agents) {
      const ids = nativeIdsOf(agents, provider);
      if (ids.length === 0) continue;
      providerFilter.agentNativeIds = ids;
    }
    if (prospects) {
      const ids = nativeIdsOf(prospects, provider);
      if (ids.length === 0) continue;
      providerFilter.prospectNativeIds = ids;
    }
    plans.push({ provider, providerFilter });
  }
  return plans;
}

/** Native ids of `provider` among decoded ids; another provider's ids rule this provider out. */
function nativeIdsOf(ids: readonly GlobalIdParts[], provider: Provider): string[] {
  return ids.flatMap((parts) => (parts.provider === provider ? [parts.nativeId] : []));
}

function positionOf(conversation: Conversation): MergedPosition {
  const { createdAt } = conversation;
  return { t: createdAt.getTime(), n: nanosOfMillisecond(createdAt), p: conversation.provider, id: conversation.nativeId };
}

function compareMerged(a: Conversation, b: Conversation): number {
  const byTime = compareInstants(b.createdAt, a.createdAt);
  if (byTime !== 0) return byTime;
  if (a.provider !== b.provider) return PROVIDERS.indexOf(a.provider) - PROVIDERS.indexOf(b.provider);
  return a.nativeId < b.nativeId ? 1 : a.nativeId > b.nativeId ? -1 : 0;
}

/**
 * Where `provider` resumes after a merged position. At the cursor's exact instant, providers
 * ordered before the cursor's provider were already consumed (resume strictly before that
 * instant: no id is below ""), and providers ordered after it were not (resume at the instant:
 * every id is below the maximal one).
 */
function providerPosition(after: MergedPosition, provider: Provider): ConversationPosition {
  const createdAt = new PreciseDate(after.t, after.n, 9);
  if (provider === after.p) return { createdAt, nativeId: after.id };
  return PROVIDERS.indexOf(provider) < PROVIDERS.indexOf(after.p)
    ? { createdAt, nativeId: '' }
    : { createdAt, nativeId: '\u{10FFFF}' };
}
