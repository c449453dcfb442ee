import type { GraphQLResolveInfo } from 'graphql';
import type { GatewayContext } from '../context.ts';
import { listConversations, type ListConversationsOptions } from '../read/listConversations.ts';
import type { ConversationConnectionModel } from '../read/connections.ts';
import { preloadConversationReferences } from './referencePreload.ts';
import { reportPartialFailure, selectsField } from './resolverSupport.ts';

/**
 * A page of conversations as every `conversations` field answers it (the query's, an agent's, a
 * prospect's): merged across providers, a failed provider reported beside the rest, the total
 * counted only when selected, and the agents and prospects its fields select loaded before they
 * run (referencePreload.ts).
 */
export async function conversationPage(
  options: Omit<ListConversationsOptions, 'workspace' | 'withTotal' | 'onProviderError'>,
  context: GatewayContext,
  info: GraphQLResolveInfo,
): Promise<ConversationConnectionModel> {
  const connection = await listConversations({
    ...options,
    workspace: context.workspace,
    withTotal: selectsField(info, 'totalCount'),
    onProviderError: reportPartialFailure(context, info),
  });
  await preloadConversationReferences(
    connection.edges.map((edge) => edge.node),
    context.loaders,
    info,
  );
  return connection;
}
