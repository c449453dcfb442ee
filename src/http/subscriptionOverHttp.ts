import { getOperationAST, parse } from 'graphql';
import { graphqlRequestFields } from './graphqlRequestFields.ts';

export const SUBSCRIPTION_OVER_HTTP_MESSAGE = 'Subscriptions are served over WebSocket (graphql-ws protocol, same /graphql path), not over HTTP';

/**
 * Whether an HTTP request asks to run a subscription (the operation it names, or its only one),
 * from the POST body or the GET query string. Apollo would run one as a query: its root field has
 * no value outside a stream, so the answer was an INTERNAL_SERVER_ERROR (logged as a bug), and a
 * root `@include(if: $on)` made graphql-js 16's validation throw (HTTP 500). Apollo's hooks cannot
 * refuse before validation, so this runs before Apollo. Only a document that mentions
 * `subscription` is parsed here (once more, under the same token limit); one that does not parse
 * is left to Apollo, which answers it as it does every syntax error.
 */
export function asksForSubscription(method: string, body: unknown, search: string, maxTokens: number): boolean {
  const { query, operationName } = graphqlRequestFields(method, body, search);
  if (typeof query !== 'string' || !query.includes('subscription')) return false;
  try {
    const operation = getOperationAST(parse(query, { maxTokens }), typeof operationName === 'string' ? operationName : undefined);
    return operation?.operation === 'subscription';
  } catch {
    return false;
  }
}
