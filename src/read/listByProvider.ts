import { z } from 'zod';
import { PROVIDERS, type Provider } from '../domain/types.ts';
import type { OffsetPage, OffsetRequest, ProviderConnector } from '../providers/connector.ts';
import type { Workspace } from '../workspaces/workspaceRegistry.ts';
import { connectionOf, edgeOf, type ConnectionModel, type EdgeModel } from './connections.ts';
import { argumentsScope, cursorCodec, decodeAfter } from './cursor.ts';

export interface ListByProviderOptions<T> {
  /** Cursor kind, e.g. `agents`; a cursor of another list is refused. */
  kind: string;
  workspace: Workspace;
  providers: readonly Provider[] | null | undefined;
  first: number;
  after: string | null | undefined;
  withTotal: boolean;
  /**
   * The connector's offset lister for these entities, or undefined when its provider has none
   * (prospects are an optional part of a connector): such providers are skipped, not asked.
   */
  listerOf: (connector: ProviderConnector) => OffsetLister<T> | undefined;
  onProviderError: (error: unknown) => void;
}

export type OffsetLister<T> = (request: OffsetRequest) => Promise<OffsetPage<T>>;

/** `o` at most a million: no provider lists more agents or prospects, and a forged larger offset went upstream (422). */
const positionSchema = z.object({ p: z.enum(PROVIDERS), o: z.number().int().min(0).max(1_000_000) });

/**
 * Lists entities that have no natural cross-provider order (agents, prospects): provider by
 * provider in a fixed order, each in its own order. The cursor is (provider, offset); these lists
 * change rarely, so offsets are an honest trade for not needing a sort key.
 */
export async function listByProvider<T>(options: ListByProviderOptions<T>): Promise<ConnectionModel<T>> {
  const { workspace, first } = options;
  const cursor = cursorCodec(options.kind, positionSchema);
  // The workspace and the arguments, digested only when a cursor is read or written.
  let scope: string | undefined;
  const scopeOf = () => (scope ??= argumentsScope({ workspace: workspace.id, providers: options.providers }));
  const after = decodeAfter(cursor, options.after, scopeOf);
  const listers = new Map<Provider, OffsetLister<T>>();
  for (const provider of PROVIDERS) {
    const connector = workspace.connectors.get(provider);
    const lister = connector && (!options.providers || options.providers.includes(provider)) ? options.listerOf(connector) : undefined;
    if (lister) listers.set(provider, lister);
  }
  const providers = [...listers.keys()];
  const startIndex = after ? providers.indexOf(after.p) : 0;

  const edges: EdgeModel<T>[] = [];
  let hasNextPage = false;
  // A provider's total, or null once it failed: a failed provider is reported, not counted.
  const totals = new Map<Provider, number | null>();
  for (let i = Math.max(0, startIndex); i < providers.length; i++) {
    const provider = providers[i] as Provider;
    const list = listers.get(provider) as OffsetLister<T>;
    const offset = after && after.p === provider ? after.o : 0;
    const remaining = first - edges.length;
    if (remaining <= 0) {
      hasNextPage = true;
      break;
    }
    try {
      const page = await list({ offset, limit: remaining });
      totals.set(provider, page.totalCount);
      page.items.forEach((node, index) => {
        edges.push(edgeOf(node, () => cursor.encode({ p: provider, o: offset + index + 1 }, scopeOf())));
      });
      if (offset + page.items.length < page.totalCount) {
        // This provider has more; the next page resumes here rather than skipping the rest.
        hasNextPage = true;
        break;
      }
    } catch (error) {
      totals.set(provider, null);
      options.onProviderError(error);
    }
  }

  let totalCount: number | null = null;
  if (options.withTotal) {
    // Like `conversations`: the sum over the providers that answered (see the schema's totalCount).
    totalCount = 0;
    for (const provider of providers) {
      let total = totals.get(provider);
      if (total === undefined) {
        try {
          total = (await (listers.get(provider) as OffsetLister<T>)({ offset: 0, limit: 1 })).totalCount;
        } catch (error) {
          options.onProviderError(error);
          total = null;
        }
      }
      if (total !== null) totalCount += total;
    }
  }
  return connectionOf(edges, hasNextPage, totalCount, after !== null);
}
