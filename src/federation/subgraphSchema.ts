import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { concatAST, graphqlSync, parse, visit, type DocumentNode, type GraphQLSchema, type ObjectTypeDefinitionNode } from 'graphql';
import type { Resolvers } from '../generated/graphql.ts';
import { loadTypeDefs } from '../schema.ts';
import type { GatewayContext } from '../context.ts';
import { ENTITY_TYPES, resolveEntities } from './entityReferenceResolvers.ts';

/** Opts the SDL into Federation 2 and imports the one directive it uses. */
const FEDERATION_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

/**
 * `schema/*.graphql` with the federation link and `@key(fields: "id")` on each entity's own
 * definition. Added here rather than in the SDL files so the plain API schema (and the generated
 * resolver types) stay free of federation directives; on the definition rather than in an
 * `extend type`, so the supergraph records Switchboard as the type's owner, not an extension.
 */
export function subgraphTypeDefs(): DocumentNode {
  const entities = new Set<string>(ENTITY_TYPES);
  const key = parse('type Keyed @key(fields: "id")').definitions[0] as ObjectTypeDefinitionNode;
  const keyed = visit(parse(loadTypeDefs().join('\n')), {
    ObjectTypeDefinition: (node) => (entities.has(node.name.value) ? { ...node, directives: [...(node.directives ?? []), ...(key.directives ?? [])] } : undefined),
  });
  return concatAST([parse(FEDERATION_LINK), keyed]);
}

/**
 * The gateway's schema as an Apollo Federation 2 subgraph: the same types and resolvers, plus
 * `_service` (the SDL a router composes) and `_entities` (resolving a representation `{ id }` of
 * each entity with the same loaders as `node(id:)`).
 */
export function buildGatewaySubgraphSchema(resolvers: Resolvers): GraphQLSchema {
  // The generated `Resolvers` type is structurally a resolver map; @apollo/subgraph types it loosely.
  const resolverMap = {
    ...resolvers,
    // Ours in place of @apollo/subgraph's (see `resolveEntities`); added after its own, so they win.
    Query: {
      ...resolvers.Query,
      _entities: (_source: unknown, args: { representations: readonly unknown[] }, context: GatewayContext) => resolveEntities(args.representations, context),
    },
    // An entity is one of the gateway's own objects, which carry their type name in `kind` (as `Node` resolves).
    _Entity: { __resolveType: (entity: { kind: string }) => entity.kind },
  } as unknown as GraphQLResolverMap<unknown>;
  return buildSubgraphSchema([{ typeDefs: subgraphTypeDefs(), resolvers: resolverMap }]);
}

/** The subgraph SDL exactly as `_service { sdl }` answers a router. */
export function serviceSdlOf(schema: GraphQLSchema): string {
  const result = graphqlSync({ schema, source: '{ _service { sdl } }' });
  const sdl = (result.data?._service as { sdl?: unknown } | undefined)?.sdl;
  if (typeof sdl !== 'string') throw new Error(`_service did not answer: ${JSON.stringify(result.errors)}`);
  return sdl;
}
