import { isJsonObject } from '../providers/kit/boundedJson.ts';
import { graphqlRequestFields } from './graphqlRequestFields.ts';

/**
 * What is wrong with a request's `extensions.persistedQuery` (automatic persisted queries,
 * docs/operations.md), or null when it is absent or well formed: version 1 and a `sha256Hash` of
 * 64 hex digits. Apollo looked a missing or non-string hash up as any other and answered
 * PERSISTED_QUERY_NOT_FOUND, which tells a client to send the query again (an outside trial); a
 * malformed one is the client's mistake to fix, BAD_REQUEST. The version itself Apollo checks.
 */
export function persistedQueryProblem(method: string, body: unknown, search: string): string | null {
  const sent = graphqlRequestFields(method, body, search).extensions;
  const extensions = method === 'GET' ? jsonOf(sent) : sent;
  if (!isJsonObject(extensions) || extensions.persistedQuery === undefined) return null;
  const { persistedQuery } = extensions;
  if (!isJsonObject(persistedQuery)) return '`extensions.persistedQuery` must be an object: { "version": 1, "sha256Hash": "<64 hex digits>" }';
  const hash = persistedQuery.sha256Hash;
  if (typeof hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hash)) return '`extensions.persistedQuery.sha256Hash` must be the SHA-256 of the query as 64 hex digits';
  return null;
}

/** GET carries `extensions` as JSON text; text that is not JSON is Apollo's to refuse. */
function jsonOf(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
