import type { Conversation } from '../domain/types.ts';
import { compareInstants, formatInstant, parseInstant } from '../domain/preciseDate.ts';
import type { ChangeWriter } from '../feed/changeWriter.ts';
import type { ConversationFilter, ConversationPosition, OffsetPage, OffsetRequest, ProviderConnector } from '../providers/connector.ts';
import type { Database } from '../store/database.ts';
import { deleteConversationsCreatedBefore, listOpenConversationIds } from '../store/queries/syncedRecords.ts';
import { recordSyncProgress, type StoredPosition, type SyncAccountRecord } from '../store/queries/syncAccounts.ts';

/** Conversations per list request while syncing (the providers' largest page). */
export const SYNC_PAGE_SIZE = 100;

export interface SyncAccountDeps {
  database: Database;
  writer: ChangeWriter;
  connector: ProviderConnector;
  /** This replica, holder of the account's lease. */
  owner: string;
  clock: () => Date;
  /** Conversations created longer ago than this are deleted from the store; null keeps all. */
  retentionDays: number | null;
  /** Called between pages; false stops the pass (the lease is lost, or the service stops). */
  shouldContinue: () => Promise<boolean>;
}

export interface SyncPassReport {
  pages: number;
  /** Records new or changed in the store. */
  changed: number;
}

export class SyncLeaseLostError extends Error {
  override readonly name = 'SyncLeaseLostError';
}

/**
 * One sync pass over one workspace's account at one provider.
 *
 * 1. Backfill (until done): newest-first pages from the provider, each stored together with the
 *    position reached, so a crash resumes at the last stored page; records written twice are the
 *    same version (idempotent upserts). The newest creation time seen becomes the watermark.
 * 2. Incremental: conversations created after the watermark (pushed down as `createdAfter` where
 *    the provider can filter), all pages, then the watermark moves; a crash before that re-reads
 *    the same pages, which changes nothing.
 * 3. Conversations the store holds as not over yet are read again by id (status, transcript and
 *    cost change after creation, and no provider lists by update time).
 * 4. Agents and prospects, whole (small lists); then retention.
 */
export async function syncAccount(deps: SyncAccountDeps, account: SyncAccountRecord): Promise<SyncPassReport> {
  const { connector, writer, owner } = deps;
  const provider = connector.provider;
  const key = { workspaceId: account.workspaceId, provider: account.provider };
  const report: SyncPassReport = { pages: 0, changed: 0 };
  const store = async (conversations: Conversation[]) => {
    report.changed += await writer.writeConversations(account.workspaceId, provider, conversations);
  };
  const progress = async (update: Parameters<typeof recordSyncProgress>[3]) => {
    if (!(await recordSyncProgress(deps.database, key, owner, update, deps.clock()))) throw new SyncLeaseLostError(`lease on ${provider} of ${key.workspaceId} lost`);
  };
  const checkpoint = async () => {
    if (!(await deps.shouldContinue())) throw new SyncLeaseLostError('sync stopped');
  };

  /** Stores one page of the conversation list; where the next page starts, or null when none follows. */
  const storePage = async (filter: ConversationFilter, after: ConversationPosition | null) => {
    await checkpoint();
    const page = await connector.listConversations({ filter, after, limit: SYNC_PAGE_SIZE });
    report.pages += 1;
    await store(page.items);
    const last = page.items.at(-1);
    return { items: page.items, next: page.hasMore && last ? { createdAt: last.createdAt, nativeId: last.nativeId } : null };
  };

  let watermark = account.watermark;
  if (!account.backfillDone) {
    let after = positionOf(account.backfillPosition);
    for (;;) {
      const { items, next } = await storePage({}, after);
      watermark = newest(watermark, items);
      await progress({ watermark, backfillPosition: storedPosition(next), backfillDone: next === null });
      if (next === null) break;
      after = next;
    }
  } else {
    const since = watermark === null ? null : parseInstant(watermark, { zoneless: 'reject' });
    let after: ConversationPosition | null = null;
    let newestSeen = watermark;
    for (;;) {
      const { items, next } = await storePage(since ? { createdAfter: since } : {}, after);
      newestSeen = newest(newestSeen, items);
      if (next === null) break;
      after = next;
    }
    if (newestSeen !== watermark) await progress({ watermark: newestSeen });
  }

  const open = await listOpenConversationIds(deps.database, account.workspaceId, provider);
  for (let i = 0; i < open.length; i += SYNC_PAGE_SIZE) {
    await checkpoint();
    const read = await connector.getConversations(open.slice(i, i + SYNC_PAGE_SIZE));
    await store(read.filter((conversation): conversation is Conversation => conversation !== null));
  }

  report.changed += await syncWholeList(
    (request) => connector.listAgents(request),
    (agents) => writer.writeAgents(account.workspaceId, provider, agents),
  );
  const prospects = connector.prospects;
  if (prospects) {
    report.changed += await syncWholeList(
      (request) => prospects.listProspects(request),
      (items) => writer.writeProspects(account.workspaceId, provider, items),
    );
  }

  if (deps.retentionDays !== null) {
    const cutoff = new Date(deps.clock().getTime() - deps.retentionDays * 86_400_000);
    await deleteConversationsCreatedBefore(deps.database, account.workspaceId, provider, cutoff);
  }
  return report;
}

/** Every page of an offset list (agents, prospects), each stored as it comes; the records new or changed. */
async function syncWholeList<T>(list: (request: OffsetRequest) => Promise<OffsetPage<T>>, store: (items: T[]) => Promise<number>): Promise<number> {
  let changed = 0;
  for (let offset = 0; ; offset += SYNC_PAGE_SIZE) {
    const page = await list({ offset, limit: SYNC_PAGE_SIZE });
    changed += await store(page.items);
    if (page.items.length === 0 || offset + page.items.length >= page.totalCount) return changed;
  }
}

function newest(watermark: string | null, conversations: readonly Conversation[]): string | null {
  let best = watermark === null ? null : parseInstant(watermark, { zoneless: 'reject' });
  for (const conversation of conversations) {
    if (best === null || compareInstants(conversation.createdAt, best) > 0) best = conversation.createdAt as typeof best;
  }
  return best === null ? null : formatInstant(best);
}

function positionOf(stored: StoredPosition | null): ConversationPosition | null {
  if (stored === null) return null;
  const createdAt = parseInstant(stored.createdAt, { zoneless: 'reject' });
  return createdAt === null ? null : { createdAt, nativeId: stored.nativeId };
}

function storedPosition(position: ConversationPosition | null): StoredPosition | null {
  return position === null ? null : { createdAt: formatInstant(position.createdAt), nativeId: position.nativeId };
}
