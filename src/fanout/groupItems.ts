import type { Provider } from '../domain/types.ts';
import type { BatchItemRecord } from '../store/records.ts';

export interface ItemGroup {
  workspaceId: string;
  provider: Provider;
  items: BatchItemRecord[];
}

/**
 * Splits items by the connector that must handle them (one workspace's account at one provider;
 * several workspaces may share a budget) and into chunks of at most `chunkSize`, keeping order.
 */
export function groupItems(items: readonly BatchItemRecord[], chunkSize: number): ItemGroup[] {
  const byConnector = new Map<string, ItemGroup>();
  for (const item of items) {
    const key = `${item.workspaceId}\u0000${item.provider}`;
    const group = byConnector.get(key) ?? { workspaceId: item.workspaceId, provider: item.provider, items: [] };
    group.items.push(item);
    byConnector.set(key, group);
  }
  const size = Math.max(1, Math.floor(chunkSize));
  return [...byConnector.values()].flatMap((group) => {
    const chunks: ItemGroup[] = [];
    for (let i = 0; i < group.items.length; i += size) chunks.push({ ...group, items: group.items.slice(i, i + size) });
    return chunks;
  });
}
