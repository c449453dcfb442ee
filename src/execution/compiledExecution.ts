import type { GatewayExecutor, GatewayInterface, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import { GraphQLError, defaultFieldResolver, execute, getVariableValues, isObjectType, printSchema, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * Runs every query and mutation through graphql-jit: each operation is compiled once into a
 * function that reads its fields, arguments and types directly, and later requests with the same
 * document run that function. graphql-js re-walks the document for every object it completes and
 * builds each field's argument object every time, which was about a quarter of everything the
 * read path allocated (issue 9; BENCHMARKS.md).
 *
 * Apollo Server 4+ has no executor option; its `gateway` hook is the documented way to execute
 * with something else (what Apollo Gateway itself uses). Only execution changes: Apollo still
 * parses, validates (with the query limits), runs the plugins and formats the errors.
 * Subscriptions are served by graphql-ws with graphql-js (src/subscriptions) and never come here.
 */
export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  readLazyRecordsThroughResolvers(schema);
  const listeners = new Set<GatewaySchemaLoadOrUpdateCallback>();
  const executor = compiledExecutor(schema);
  return {
    onSchemaLoadOrUpdate(callback) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
    async load() {
      // The schema never changes at run time: announce it once, as a gateway announces a supergraph.
      const coreSupergraphSdl = printSchema(schema);
      for (const listener of listeners) listener({ apiSchema: schema, coreSupergraphSdl });
      return { executor };
    },
    async stop() {
      listeners.clear();
    },
  };
}

/**
 * The object types whose values may be provider records read field by field
 * (src/providers/kit/deferredRecords.ts): such a record validates a field on its first read and
 * throws PROVIDER_BAD_RESPONSE from the property read when the provider broke it.
 */
const LAZILY_READ_TYPES = ['Conversation', 'Agent', 'Prospect'] as const;

/**
 * graphql-jit inlines a field with no resolver as a plain property read with no guard around it,
 * so a record's throwing read escaped the field and the request never answered. graphql-js's
 * default resolver reads the same property inside its field's error handling; giving these fields
 * that resolver explicitly makes jit call it the same way. Set once, on the schema the gateway
 * builds (graphql-js would read these fields with this very function anyway).
 */
function readLazyRecordsThroughResolvers(schema: GraphQLSchema): void {
  for (const typeName of LAZILY_READ_TYPES) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`compiledExecution: ${typeName} is not an object type of the schema`);
    for (const field of Object.values(type.getFields())) field.resolve ??= defaultFieldResolver;
  }
}

/**
 * Compiled operations, one per operation node of a parsed document. Apollo keeps the documents it
 * parsed and validated in its document store (an LRU), so a repeated query arrives as the same
 * node; when the store drops a document, its compiled function goes with it.
 */
function compiledExecutor(schema: GraphQLSchema): GatewayExecutor {
  const compiledByOperation = new WeakMap<OperationDefinitionNode, CompiledQuery>();
  return async ({ document, operation, operationName, request, context }): Promise<ExecutionResult> => {
    // Apollo executes even when it found no operation (an unknown or missing name among several;
    // the type says otherwise): graphql-js words that refusal, and Apollo recognises its words.
    const resolved = operation as OperationDefinitionNode | undefined;
    if (!resolved) return execute({ schema, document, operationName: request.operationName, variableValues: request.variables, contextValue: context });
    // Variables are coerced by graphql-js first, so a bad variable is refused with graphql-js's
    // words, which Apollo recognises as BAD_USER_INPUT with status 400 (graphql-jit words its own).
    const coerced = getVariableValues(schema, resolved.variableDefinitions ?? [], request.variables ?? {});
    if (coerced.errors) return { errors: coerced.errors };
    let compiled = compiledByOperation.get(resolved);
    if (!compiled) {
      const result = compileQuery(schema, document, operationName ?? undefined);
      // Only a document Apollo has not validated fails to compile; answer as graphql-js would.
      if (!isCompiledQuery(result)) return result;
      compiled = result;
      compiledByOperation.set(resolved, compiled);
    }
    const result = await compiled.query(undefined, context, request.variables ?? {});
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLJsError) } : result;
  };
}

/**
 * graphql-jit's errors inherit from graphql-js's GraphQLError but leave `extensions` undefined when
 * the resolver's error has none, where graphql-js always gives an object; Apollo reads
 * `extensions.code` unguarded and answered such a field error as a whole-request 500. Rebuilt as
 * graphql-js errors with the same message, path, cause and locations (jit computes the locations
 * and keeps no nodes to compute them from again).
 */
function asGraphQLJsError(error: GraphQLError): GraphQLError {
  const rebuilt = new GraphQLError(error.message, {
    path: error.path,
    ...(error.originalError && { originalError: error.originalError }),
    ...(error.extensions && { extensions: error.extensions }),
  });
  if (error.locations) Object.defineProperty(rebuilt, 'locations', { value: error.locations, enumerable: true });
  return rebuilt;
}
