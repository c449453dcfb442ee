import type { ConversationAnalyticsResolvers } from '../generated/graphql.ts';

export const ConversationAnalytics: ConversationAnalyticsResolvers = {
  sentiment: (analytics) => analytics.sentiment?.value ?? null,
  rawSentiment: (analytics) => analytics.sentiment?.raw ?? null,
};
