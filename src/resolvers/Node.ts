import type { NodeResolvers } from '../generated/graphql.ts';

/**
 * Domain objects carry no type tag, so the type is read from the shape: each has a field the
 * others lack. Kept in one place so adding a node type is one line.
 */
export const Node: NodeResolvers = {
  __resolveType: (node) => {
    if ('channel' in node && 'status' in node) return 'Conversation';
    if ('llm' in node) return 'Agent';
    if ('email' in node && 'phone' in node) return 'Prospect';
    if ('itemCount' in node) return 'ConversationBatch';
    throw new Error('Node of unknown type');
  },
};
