import type { AgentResolvers } from '../generated/graphql.ts';
import { checkFirst } from '../read/cursor.ts';
import { conversationPage } from './conversationPage.ts';
import { globalIdOf } from './resolverSupport.ts';

export const Agent: AgentResolvers = {
  id: (agent) => globalIdOf('Agent', agent),
  conversations: (agent, { first, after }, context, info) =>
    conversationPage({ first: checkFirst(first, 20), after, filter: { providers: [agent.provider], agentIds: [globalIdOf('Agent', agent)] } }, context, info),
};
