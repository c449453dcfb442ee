import type { GraphQLError } from 'graphql';

/** graphql-js's suggestion at the end of a refusal, as Apollo's own DisableSuggestions plugin finds it. */
const SUGGESTION = / ?Did you mean(.+?)\?$/;

/**
 * Drops graphql-js's "Did you mean …?" from refusals, where introspection is off: guessing near a
 * name would read the schema's own names out (fields, arguments, input fields, enum values).
 * Apollo's `hideSchemaDetailsFromClientErrors` does this for its validation errors only; this
 * covers a variable's refusals and the WebSocket's validation, which Apollo never sees.
 */
export function dropSchemaSuggestions(errors: readonly GraphQLError[]): void {
  for (const error of errors) error.message = error.message.replace(SUGGESTION, '');
}
