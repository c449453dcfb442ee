import { fromGlobalId, fromGlobalIdOfType } from '../domain/globalId.ts';
import type { Agent, Conversation, Prospect } from '../domain/types.ts';
import { NotFoundError } from '../errors.ts';
import type { QueryResolvers } from '../generated/graphql.ts';
import type { GatewayContext } from '../context.ts';
import { checkFirst, decodeAfter } from '../read/cursor.ts';
import { listByProvider } from '../read/listByProvider.ts';
import { batchCursorCodec, batchesScope, batchIdOf, batchPosition, connectionOfPage } from './batchSupport.ts';
import { conversationPage } from './conversationPage.ts';
import { reportPartialFailure, selectsField } from './resolverSupport.ts';
import type { BatchView } from '../fanout/views.ts';
import { LiveQuery } from './Live.ts';
import { AnalyticsQuery } from '../analytics/statsResolver.ts';

export const Query: QueryResolvers = {
  ...LiveQuery,
  ...AnalyticsQuery,
  node: (_, { id }, context) => loadNode(id, context),
  nodes: (_, { ids }, context) => ids.map((id) => loadNode(id, context)),

  conversation: (_, { id }, context) => loadConversation(id, context),
  agent: (_, { id }, context) => loadAgent(id, context),
  prospect: (_, { id }, context) => loadProspect(id, context),

  conversations: (_, { first, after, filter }, context, info) =>
    conversationPage(
      {
        first: checkFirst(first, 20),
        after,
        filter: filter ?? {},
        onReturned: (conversation) => context.loaders.conversation.prime(conversation, conversation),
      },
      context,
      info,
    ),

  agents: (_, { first, after, providers }, context, info) =>
    listByProvider({
      kind: 'agents',
      workspace: context.workspace,
      providers,
      first: checkFirst(first, 20),
      after,
      withTotal: selectsField(info, 'totalCount'),
      listerOf: (connector) => (request) => connector.listAgents(request),
      onProviderError: reportPartialFailure(context, info),
    }),

  batch: (_, { id }, context) => loadBatch(id, context),
  batches: async (_, { first, after }, { fanout, workspace }, info) => {
    // A cursor of another workspace's batches is refused: read here it skipped to its position.
    const scope = batchesScope(workspace.id);
    const request = { first: checkFirst(first, 20), after: decodeAfter(batchCursorCodec, after, () => scope) };
    if (!selectsField(info, 'totalCount')) {
      return connectionOfPage(await fanout.listBatches(workspace.id, request), batchCursorCodec, batchPosition, request.after !== null, null, scope);
    }
    const { page, totalCount } = await fanout.listBatchesWithCount(workspace.id, request);
    return connectionOfPage(page, batchCursorCodec, batchPosition, request.after !== null, totalCount, scope);
  },

  prospects: (_, { first, after, providers }, context, info) =>
    listByProvider({
      kind: 'prospects',
      workspace: context.workspace,
      providers,
      first: checkFirst(first, 20),
      after,
      withTotal: selectsField(info, 'totalCount'),
      listerOf: ({ prospects }) => prospects && ((request) => prospects.listProspects(request)),
      onProviderError: reportPartialFailure(context, info),
    }),
};

/**
 * Ids that are malformed, of another type, of a provider the workspace has no account on, or of
 * another workspace's account all answer NOT_FOUND alike: an id reveals nothing about whether it
 * exists elsewhere.
 */
export async function loadConversation(id: string, context: GatewayContext): Promise<Conversation> {
  const parts = fromGlobalIdOfType(id, 'Conversation');
  const conversation = parts ? await context.loaders.conversation.load(parts) : null;
  if (!conversation) throw new NotFoundError('conversation', id);
  return conversation;
}

export async function loadAgent(id: string, context: GatewayContext): Promise<Agent> {
  const parts = fromGlobalIdOfType(id, 'Agent');
  const agent = parts ? await context.loaders.agent.load(parts) : null;
  if (!agent) throw new NotFoundError('agent', id);
  return agent;
}

export async function loadProspect(id: string, context: GatewayContext): Promise<Prospect> {
  const parts = fromGlobalIdOfType(id, 'Prospect');
  const prospect = parts ? await context.loaders.prospect.load(parts) : null;
  if (!prospect) throw new NotFoundError('prospect', id);
  return prospect;
}

export async function loadBatch(id: string, context: GatewayContext): Promise<BatchView> {
  const batchId = batchIdOf(id);
  const batch = batchId ? await context.loaders.batch.load(batchId) : null;
  if (!batch) throw new NotFoundError('batch', id);
  return batch;
}

async function loadNode(id: string, context: GatewayContext): Promise<Conversation | Agent | Prospect | BatchView> {
  switch (fromGlobalId(id)?.type) {
    case 'Conversation':
      return loadConversation(id, context);
    case 'Agent':
      return loadAgent(id, context);
    case 'Prospect':
      return loadProspect(id, context);
    case 'ConversationBatch':
      return loadBatch(id, context);
    case undefined:
      throw new NotFoundError('node', id);
  }
}
