import type { ConversationResolvers } from '../generated/graphql.ts';
import { globalIdOf } from './resolverSupport.ts';

export const Conversation: ConversationResolvers = {
  id: (conversation) => globalIdOf('Conversation', conversation),
  channel: (conversation) => conversation.channel.value,
  rawChannel: (conversation) => conversation.channel.raw,
  status: (conversation) => conversation.status.value,
  rawStatus: (conversation) => conversation.status.raw,
  endReason: (conversation) => conversation.endReason?.value ?? null,
  rawEndReason: (conversation) => conversation.endReason?.raw ?? null,
  /** A reference to the embedded configuration itself costs nothing; others go through the batched loader. */
  agent: ({ agentRef, embeddedAgent }, _, { loaders }) => {
    if (!agentRef) return null;
    if (embeddedAgent?.nativeId === agentRef.nativeId) return embeddedAgent;
    return loaders.agent.load(agentRef);
  },
  agentSnapshot: (conversation) => conversation.embeddedAgent,
  /**
   * The item that created this conversation, found by the gateway's tag. The tag alone is not
   * trusted: another client of the same provider account could write it, so the item must be of
   * this provider and, once its creation is recorded, of this very conversation.
   */
  batchItem: async ({ gatewayRequestId, provider, nativeId }, _, { loaders }) => {
    if (gatewayRequestId === null) return null;
    const item = await loaders.batchItemByRequestId.load(gatewayRequestId);
    if (!item || item.provider !== provider) return null;
    return item.conversationNativeId === null || item.conversationNativeId === nativeId ? item : null;
  },
  prospect: (conversation, _, { loaders }) =>
    conversation.prospectRef ? loaders.prospect.load(conversation.prospectRef) : null,
};
