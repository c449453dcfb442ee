import type { Provider } from '../domain/types.ts';
import type { BatchProblem } from './batchProblem.ts';
import type { AgentRef } from './validateBatchInput.ts';

/** Looks up agents of one provider by native id: one entry per id in order, null when unknown. */
export type AgentLookup = (provider: Provider, nativeIds: readonly string[]) => Promise<readonly (object | null)[]>;

/**
 * Names every item whose agent does not exist, with ONE lookup per provider over the distinct
 * agent ids (a batch of 1000 calls usually uses a handful of agents). A failing lookup throws:
 * existence unknown is not a problem of the request, and nothing is stored.
 */
export async function checkAgentsExist(items: readonly AgentRef[], lookup: AgentLookup): Promise<BatchProblem[]> {
  const idsByProvider = new Map<Provider, string[]>();
  for (const item of items) {
    const ids = idsByProvider.get(item.provider) ?? [];
    if (!ids.includes(item.agentNativeId)) ids.push(item.agentNativeId);
    idsByProvider.set(item.provider, ids);
  }
  const missing = new Set<string>();
  await Promise.all(
    [...idsByProvider].map(async ([provider, ids]) => {
      const agents = await lookup(provider, ids);
      ids.forEach((id, i) => {
        if (!agents[i]) missing.add(`${provider}:${id}`);
      });
    }),
  );
  return items
    .filter((item) => missing.has(`${item.provider}:${item.agentNativeId}`))
    .map((item) => ({
      index: item.index,
      field: `conversations[${item.index}].agentId`,
      message: `no such ${item.provider} agent in this workspace`,
      code: 'NOT_FOUND' as const,
    }));
}
