import type { ConversationResolvers } from '../generated/graphql.ts';
import { batchItemOf } from './batchSupport.ts';
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
  /** The item that created this conversation (see `batchItemOf`: the tag alone is not trusted). */
  batchItem: (conversation, _, { loaders }) => batchItemOf(conversation, loaders),
  prospect: (conversation, _, { loaders }) =>
    conversation.prospectRef ? loaders.prospect.load(conversation.prospectRef) : null,
};
