import type { ConversationStatsFilter, QueryResolvers } from '../generated/graphql.ts';
import { liveOf } from '../resolvers/Live.ts';
import { selectsFieldAt } from '../resolvers/resolverSupport.ts';
import type { AnalyticsFilter } from './analyticsFilter.ts';
import { conversationStats } from './conversationStats.ts';
import { canonicalTimeZone } from './timeZone.ts';

// The GraphQL input and the filter have the same fields: one added to either (or to `conversations`'
// filter) fails to compile here, naming it, until it is in both; else it would be silently ignored.
const fieldsOnOneSide: Record<
  Exclude<keyof AnalyticsFilter, keyof ConversationStatsFilter> | Exclude<keyof ConversationStatsFilter, keyof AnalyticsFilter>,
  never
> = {};

/** `conversationStats`: totals over the caller's workspace in the synced store. */
export const AnalyticsQuery: Pick<QueryResolvers, 'conversationStats'> = {
  conversationStats: async (_, { filter, groupBy, timeZone }, context, info) => {
    // The canonical name goes to PostgreSQL, the labels and the answer alike.
    const { database } = liveOf(context);
    const zone = await canonicalTimeZone(timeZone ?? 'UTC', database);
    const groups = await conversationStats(database, {
      workspaceId: context.workspace.id,
      filter: filter ?? {},
      groupBy: groupBy ?? [],
      timeZone: zone,
      // Component sums expand every cost's JSON; only pay for it when the query reads them (as it will
      // run: a `components @skip(if: true)` reads none).
      withComponents: selectsFieldAt(info, ['groups', 'costs', 'components']),
    });
    return { timeZone: zone, groups };
  },
};
