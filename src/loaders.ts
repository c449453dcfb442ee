import DataLoader from 'dataloader';
import type { Agent, Conversation, EntityRef, Prospect, Provider } from './domain/types.ts';
import type { FanoutService, Page } from './fanout/fanoutService.ts';
import type { BatchItemView, BatchView } from './fanout/views.ts';
import type { ProviderConnector } from './providers/connector.ts';
import type { Workspace } from './workspaces/workspaceRegistry.ts';
import { BatchContractError } from './batchContractError.ts';

/**
 * Per-request DataLoaders for every reference a resolver follows. A page of 50 conversations
 * that each name an agent and a prospect costs one agent request and one prospect request per
 * provider, whatever the page size (connectors chunk very large batches).
 *
 * Contract (dataloader's): values come back in key order; a key the provider does not know
 * resolves to null; when a provider call fails, every key of that provider rejects with the same
 * typed error, so only the fields that needed that provider fail. A connector that answers with
 * another number of values than ids asked breaks the contract: its keys reject with a
 * `BatchContractError` (an internal error, logged as one), never a quiet null that would read as
 * NOT_FOUND, exactly as `dataloader` itself refuses a batch function that does so.
 */
export interface Loaders {
  conversation: DataLoader<EntityRef, Conversation | null, string>;
  agent: DataLoader<EntityRef, Agent | null, string>;
  prospect: DataLoader<EntityRef, Prospect | null, string>;
  /**
   * The workspace's batches by their own id (not the global one), from the store: every batch a
   * request looks up by id (`node`, `nodes`, `batch`) comes from ONE store query, however many ids
   * it names. Not capped per query: `nodes(ids:)` is capped (`maxNodeIds`) and costed instead.
   */
  batch: DataLoader<string, BatchView | null>;
  /** Batch items by the request id the gateway tagged their conversation with: one store query per page of conversations. */
  batchItemByRequestId: DataLoader<string, BatchItemView | null>;
  /**
   * A batch as one answer shows it, with the pages of its items that answer asks for: the reads
   * of one tick come from one store snapshot (`readBatchesWithItems`), so a batch's status and
   * counts agree with the items beside them. A batch whose items nobody asked for is answered
   * from the view it was loaded with, without a read.
   */
  batchSnapshot: DataLoader<BatchSnapshotKey, BatchSnapshot, string>;
}

export interface BatchSnapshotKey {
  /** The batch as the field that returned it read it. */
  view: BatchView;
  /** A page of its items to read with it, or null for its status and counts alone. */
  items: { first: number; after: number | null } | null;
}

export interface BatchSnapshot {
  view: BatchView;
  /** The page asked for (null when none was, or when the batch is gone). */
  items: Page<BatchItemView> | null;
}

export interface LoaderHooks {
  /** Told of every batch a loader dispatches: its name and how many keys it carries (metrics). */
  onLoaderBatch?: (loader: keyof Loaders, size: number) => void;
}

export function createLoaders(workspace: Workspace, fanout: FanoutService, hooks: LoaderHooks = {}): Loaders {
  const options = { cacheKeyFn: refKey, maxBatchSize: 500 };
  const { onLoaderBatch } = hooks;
  const observed = <K, V>(loader: keyof Loaders, load: (keys: readonly K[]) => Promise<V[]>) =>
    onLoaderBatch
      ? (keys: readonly K[]) => {
          onLoaderBatch(loader, keys.length);
          return load(keys);
        }
      : load;
  return {
    conversation: new DataLoader(observed('conversation', byProvider(workspace, (c, ids) => c.getConversations(ids))), options),
    agent: new DataLoader(observed('agent', byProvider(workspace, (c, ids) => c.getAgents(ids))), options),
    // A provider without prospects knows none of these ids: null each, without a request.
    prospect: new DataLoader(
      observed('prospect', byProvider(workspace, async (c, ids) => (c.prospects ? c.prospects.getProspects(ids) : ids.map(() => null)))),
      options,
    ),
    batch: new DataLoader(observed('batch', (ids: readonly string[]) => fanout.getBatches(workspace.id, ids))),
    batchItemByRequestId: new DataLoader(
      observed('batchItemByRequestId', (requestIds: readonly string[]) => fanout.getItemsByRequestIds(workspace.id, requestIds)),
    ),
    batchSnapshot: new DataLoader(observed('batchSnapshot', batchSnapshots(workspace, fanout)), { cacheKeyFn: batchSnapshotKey }),
  };
}

function batchSnapshotKey({ view, items }: BatchSnapshotKey): string {
  return items ? `${view.id}:items:${items.first}:${items.after ?? ''}` : `${view.id}:state`;
}

/**
 * Reads the batches whose items were asked for, and those items, in one snapshot; the others are
 * answered from their views. When the read fails, the items fail with its error and the status
 * and counts stay those of the view, as they were before any item was asked for.
 */
function batchSnapshots(workspace: Workspace, fanout: FanoutService) {
  return async (keys: readonly BatchSnapshotKey[]): Promise<(BatchSnapshot | Error)[]> => {
    const itemKeys = keys.filter((key) => key.items !== null);
    if (itemKeys.length === 0) return keys.map(({ view }) => ({ view, items: null }));
    try {
      const { batches, pages } = await fanout.readBatchesWithItems(
        workspace.id,
        itemKeys.map(({ view, items }) => ({ batchId: view.id, ...items })),
      );
      const pageOf = new Map(itemKeys.map((key, index) => [key, pages[index] ?? null]));
      return keys.map((key) => ({ view: batches.get(key.view.id) ?? key.view, items: pageOf.get(key) ?? null }));
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      return keys.map((key) => (key.items ? failure : { view: key.view, items: null }));
    }
  };
}

export function refKey(ref: EntityRef): string {
  return `${ref.provider}:${ref.nativeId}`;
}

type BatchFetch<T> = (connector: ProviderConnector, nativeIds: readonly string[]) => Promise<(T | null)[]>;

/** Splits one batch of keys by provider, fetches each provider's share in one call, reassembles in key order. */
function byProvider<T>(workspace: Workspace, fetch: BatchFetch<T>) {
  return async (refs: readonly EntityRef[]): Promise<(T | null | Error)[]> => {
    const groups = new Map<Provider, string[]>();
    for (const ref of refs) {
      const ids = groups.get(ref.provider) ?? [];
      if (!ids.includes(ref.nativeId)) ids.push(ref.nativeId);
      groups.set(ref.provider, ids);
    }
    const results = new Map<string, T | null | Error>();
    await Promise.all(
      [...groups].map(async ([provider, ids]) => {
        const connector = workspace.connectors.get(provider);
        if (!connector) {
          // The workspace has no account on this provider: nothing there can belong to it.
          for (const id of ids) results.set(`${provider}:${id}`, null);
          return;
        }
        try {
          const values = await fetch(connector, ids);
          if (!Array.isArray(values) || values.length !== ids.length) {
            throw new BatchContractError(provider, ids.length, Array.isArray(values) ? values.length : null);
          }
          ids.forEach((id, index) => results.set(`${provider}:${id}`, values[index] ?? null));
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(String(error));
          for (const id of ids) results.set(`${provider}:${id}`, failure);
        }
      }),
    );
    return refs.map((ref) => results.get(refKey(ref)) ?? null);
  };
}
