import { buildASTSchema, parse, printSchema } from 'graphql';
import { buildGatewaySubgraphSchema, serviceSdlOf } from '../../src/federation/subgraphSchema.ts';
import { resolvers } from '../../src/resolvers/index.ts';
import { loadTypeDefs } from '../../src/schema.ts';

/** The committed schema files, each with what the gateway serves today. */
export const SCHEMA_FILES = {
  /** The API every client sees (federation off), as `printSchema` prints it. */
  api: 'schema.graphql',
  /** The subgraph SDL a router composes (SWITCHBOARD_FEDERATION=true), as `_service { sdl }` answers it. */
  subgraph: 'schema.subgraph.graphql',
} as const;

export type SchemaFile = (typeof SCHEMA_FILES)[keyof typeof SCHEMA_FILES];

/** Prints both schemas from `schema/*.graphql` (and the federation additions), ending in a newline. */
export function printSchemas(): Record<SchemaFile, string> {
  return {
    [SCHEMA_FILES.api]: `${printSchema(buildASTSchema(parse(loadTypeDefs().join('\n'))))}\n`,
    [SCHEMA_FILES.subgraph]: `${serviceSdlOf(buildGatewaySubgraphSchema(resolvers)).trimEnd()}\n`,
  };
}
