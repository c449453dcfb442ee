/**
 * Batch get for a provider without one: each distinct id once, in parallel (the shared
 * dispatcher and the provider's concurrency cap bound the fan-out), answers in the order given.
 */
export async function fetchEachOnce<T>(ids: readonly string[], fetchOne: (id: string) => Promise<T | null>): Promise<(T | null)[]> {
  const distinct = [...new Set(ids)];
  const results = await Promise.all(distinct.map(fetchOne));
  const byId = new Map(distinct.map((id, index) => [id, results[index] ?? null]));
  return ids.map((id) => byId.get(id) ?? null);
}
