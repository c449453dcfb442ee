import type { ProspectResolvers } from '../generated/graphql.ts';
import { checkFirst } from '../read/cursor.ts';
import { conversationPage } from './conversationPage.ts';
import { globalIdOf } from './resolverSupport.ts';

export const Prospect: ProspectResolvers = {
  id: (prospect) => globalIdOf('Prospect', prospect),
  conversations: (prospect, { first, after }, context, info) =>
    conversationPage({ first: checkFirst(first, 20), after, filter: { providers: [prospect.provider], prospectIds: [globalIdOf('Prospect', prospect)] } }, context, info),
};
