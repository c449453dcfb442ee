import { getVariableValues, type GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';

/**
 * An operation's variables as graphql-js will execute them (defaults applied, each coerced to its
 * declared type), or graphql-js's refusals of them. What is checked before execution (the cost
 * limit) reads these, so `first: $first` sent as 2^31 is the BAD_USER_INPUT graphql-js makes of
 * it, not a page of two billion.
 */
export function coercedVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  sent: Readonly<Record<string, unknown>> | null | undefined,
): { coerced: Record<string, unknown>; errors?: undefined } | { coerced?: undefined; errors: readonly GraphQLError[] } {
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], sent ?? {}, { maxErrors: 50 });
  return result.errors ? { errors: result.errors } : { coerced: result.coerced };
}
