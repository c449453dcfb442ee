import type { AgentResolvers } from '../generated/graphql.ts';
import { checkFirst } from '../read/cursor.ts';
import { listConversations } from '../read/listConversations.ts';
import { globalIdOf, reportPartialFailure, selectsField } from './resolverSupport.ts';

export const Agent: AgentResolvers = {
  id: (agent) => globalIdOf('Agent', agent),
  conversations: (agent, { first, after }, context, info) =>
    listConversations({
      workspace: context.workspace,
      first: checkFirst(first, 20),
      after,
      filter: { providers: [agent.provider], agentIds: [globalIdOf('Agent', agent)] },
      withTotal: selectsField(info, 'totalCount'),
      onProviderError: reportPartialFailure(context, info),
    }),
};
