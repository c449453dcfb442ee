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
  /** Embedded configurations (VoiceOS) cost nothing; references go through the batched loader. */
  agent: (conversation, _, { loaders }) =>
    conversation.embeddedAgent ?? (conversation.agentRef ? loaders.agent.load(conversation.agentRef) : null),
  prospect: (conversation, _, { loaders }) =>
    conversation.prospectRef ? loaders.prospect.load(conversation.prospectRef) : null,
};
