import type { NodeResolvers } from '../generated/graphql.ts';

/**
 * Every object that can stand for a `Node` carries its GraphQL type name in `kind` (set where the
 * object is made: the provider mappers and the fan-out's views), so resolution reads a tag instead
 * of guessing from which fields happen to be present. Adding a node type is adding its tag.
 */
export const Node: NodeResolvers = {
  __resolveType: (node) => node.kind,
};
