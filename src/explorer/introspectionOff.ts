import Negotiator from 'negotiator';
import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';
import { ErrorCode } from '../errors.ts';
import { errorBody } from '../http/errorBody.ts';

/**
 * Where introspection is off (production, unless SWITCHBOARD_INTROSPECTION=true): `__schema` and
 * `__type` are refused, as Apollo's own rule refuses them, but the message names the setting that
 * turns them on (Apollo's tells the client to "pass introspection: true to ApolloServer").
 */
export function IntrospectionOffRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      const field = node.name.value;
      if (field !== '__schema' && field !== '__type') return;
      context.reportError(
        new GraphQLError(`Introspection is off on this gateway, so "${field}" is refused; its operator turns it on with SWITCHBOARD_INTROSPECTION=true.`, {
          nodes: [node],
        }),
      );
    },
  };
}

/** What a browser gets for the explorers where introspection is off (docs/explorer.md: 404). */
export const EXPLORERS_OFF_BODY = errorBody(
  ErrorCode.NOT_FOUND,
  'No explorer here: Apollo Sandbox (/graphql in a browser) and GraphiQL (/graphiql) are served only where introspection is on (SWITCHBOARD_INTROSPECTION=true). The API is at /graphql.',
);

/**
 * A browser opening the API's page: a GET (or HEAD) that carries no query and prefers HTML to
 * GraphQL's JSON, by the Accept header's q-values, as Apollo decides on its landing page (a
 * client that merely admits `text/html;q=0.1` beside JSON is not a browser).
 */
export function asksForLandingPage(method: string | undefined, search: string, accept: string | undefined): boolean {
  if ((method !== 'GET' && method !== 'HEAD') || new URLSearchParams(search).has('query') || !accept) return false;
  return new Negotiator({ headers: { accept } }).mediaType(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}
