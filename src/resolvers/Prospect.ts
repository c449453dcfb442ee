import type { ProspectResolvers } from '../generated/graphql.ts';
import { checkFirst } from '../read/cursor.ts';
import { listConversations } from '../read/listConversations.ts';
import { globalIdOf, reportPartialFailure, selectsField } from './resolverSupport.ts';

export const Prospect: ProspectResolvers = {
  id: (prospect) => globalIdOf('Prospect', prospect),
  conversations: (prospect, { first, after }, context, info) =>
    listConversations({
      workspace: context.workspace,
      first: checkFirst(first, 20),
      after,
      filter: { providers: [prospect.provider], prospectIds: [globalIdOf('Prospect', prospect)] },
      withTotal: selectsField(info, 'totalCount'),
      onProviderError: reportPartialFailure(context, info),
    }),
};
