import type { ConversationResolvers } from '../generated/graphql.ts';
import { batchItemOf } from './batchSupport.ts';
import { loadOrSettled } from './referencePreload.ts';
import { globalIdOf } from './resolverSupport.ts';

export const Conversation: ConversationResolvers = {
  id: (conversation) => globalIdOf('Conversation', conversation),
  channel: (conversation) => conversation.channel.value,
  rawChannel: (conversation) => conversation.channel.raw,
  status: (conversation) => conversation.status.value,
  rawStatus: (conversation) => conversation.status.raw,
  endReason: (conversation) => conversation.endReason?.value ?? null,
  rawEndReason: (conversation) => conversation.endReason?.raw ?? null,
  /**
   * The configuration the conversation embeds is answered from the record; a saved agent goes
   * through the batched loader (already settled when a list preloaded it: referencePreload.ts),
   * and the embedded configuration is then never read.
   */
  agent: (conversation, _, { loaders }) => {
    const { agentRef } = conversation;
    if (!agentRef) return null;
    return agentRef.embedded ? conversation.embeddedAgent : loadOrSettled(loaders.agent, agentRef);
  },
  agentSnapshot: (conversation) => conversation.embeddedAgent,
  /** The item that created this conversation (see `batchItemOf`: the tag alone is not trusted). */
  batchItem: (conversation, _, { loaders }) => batchItemOf(conversation, loaders),
  prospect: (conversation, _, { loaders }) =>
    conversation.prospectRef ? loadOrSettled(loaders.prospect, conversation.prospectRef) : null,
};
