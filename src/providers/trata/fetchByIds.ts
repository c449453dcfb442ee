/**
 * Batch get over a list endpoint's `ids` parameter: one request per chunk of `chunkSize` distinct
 * ids, results in the order asked, null for an id the provider did not return. Ids that cannot be
 * Trata ids (empty, or holding the comma that separates them) are answered null without asking,
 * so that one odd key can neither widen nor break the request for the others.
 */
export async function fetchByIds<T>(
  ids: readonly string[],
  chunkSize: number,
  fetchChunk: (chunk: string[]) => Promise<T[]>,
  idOf: (item: T) => string,
): Promise<(T | null)[]> {
  const wanted = [...new Set(ids)].filter((id) => id !== '' && !id.includes(','));
  const chunks: string[][] = [];
  for (let i = 0; i < wanted.length; i += chunkSize) chunks.push(wanted.slice(i, i + chunkSize));

  const found = new Map<string, T>();
  for (const items of await Promise.all(chunks.map(fetchChunk))) {
    for (const item of items) found.set(idOf(item), item);
  }
  return ids.map((id) => found.get(id) ?? null);
}
