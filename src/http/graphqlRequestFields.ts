import { isJsonObject } from '../providers/kit/boundedJson.ts';

/**
 * The fields of a GraphQL-over-HTTP request as sent: a GET's query string (every value a string;
 * `variables` and `extensions` are JSON text there), a POST's parsed JSON body; none for any other
 * body. For the looks the bridge takes at a request before Apollo (subscriptions, persisted queries).
 */
export function graphqlRequestFields(method: string, body: unknown, search: string): Readonly<Record<string, unknown>> {
  if (method === 'GET') return Object.fromEntries(new URLSearchParams(search));
  return isJsonObject(body) ? body : {};
}
