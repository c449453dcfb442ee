import type { Agent, Conversation, Prospect, Provider } from '../domain/types.ts';
import { formatInstant } from '../domain/preciseDate.ts';
import type { Database } from '../store/database.ts';
import { upsertSyncedRecords, type SyncedKind, type SyncedRecordChange, type SyncedRecordWrite } from '../store/queries/syncedRecords.ts';
import { contentHash, encodeRecord } from '../sync/recordCodec.ts';
import type { ChangeEvent, ChangeFeed, ConversationChangeKind } from './changeEvent.ts';

export interface ChangeWriterOptions {
  database: Database;
  feed: ChangeFeed;
  /** Whether transcripts are stored; false keeps them out of the store for privacy. @default true */
  keepTranscripts?: boolean;
  clock?: () => Date;
}

/**
 * The one path every change takes: sync, webhooks and the fan-out's polls write records here, to
 * the store first (one transaction per call), then notify the feed. A notification is only ever
 * about a committed change, and a write that changed nothing notifies nobody.
 */
export class ChangeWriter {
  readonly #options: ChangeWriterOptions;

  constructor(options: ChangeWriterOptions) {
    this.#options = options;
  }

  get feed(): ChangeFeed {
    return this.#options.feed;
  }

  /** Stores conversations; returns how many were new or changed. */
  async writeConversations(workspaceId: string, provider: Provider, conversations: readonly Conversation[]): Promise<number> {
    const keep = this.#options.keepTranscripts ?? true;
    const writes = conversations.map((conversation) => {
      const stored = keep ? conversation : { ...conversation, transcript: null };
      return { conversation: stored, write: conversationWrite(workspaceId, provider, stored) };
    });
    const changes = await this.#upsert(writes.map((each) => each.write));
    const events: ChangeEvent[] = changes.map((change) => ({
      type: 'conversation',
      workspaceId,
      provider,
      nativeId: change.nativeId,
      version: change.version,
      changes: changeKinds(change, writes.find((each) => each.write.nativeId === change.nativeId)?.write),
    }));
    await this.#options.feed.publish(events);
    return changes.length;
  }

  async writeAgents(workspaceId: string, provider: Provider, agents: readonly Agent[]): Promise<number> {
    return (await this.#upsert(agents.map((agent) => plainWrite(workspaceId, provider, 'Agent', agent.nativeId, agent)))).length;
  }

  async writeProspects(workspaceId: string, provider: Provider, prospects: readonly Prospect[]): Promise<number> {
    return (await this.#upsert(prospects.map((prospect) => plainWrite(workspaceId, provider, 'Prospect', prospect.nativeId, prospect)))).length;
  }

  /** Batches whose items changed state (the fan-out stored the change already). */
  async batchesChanged(workspaceId: string, batchIds: Iterable<string>): Promise<void> {
    await this.#options.feed.publish([...new Set(batchIds)].map((batchId) => ({ type: 'batch', workspaceId, batchId })));
  }

  async #upsert(writes: readonly SyncedRecordWrite[]): Promise<SyncedRecordChange[]> {
    if (writes.length === 0) return [];
    const now = (this.#options.clock ?? (() => new Date()))();
    return this.#options.database.transaction((tx) => upsertSyncedRecords(tx, writes, now));
  }
}

function conversationWrite(workspaceId: string, provider: Provider, conversation: Conversation): SyncedRecordWrite {
  const encoded = encodeRecord(conversation);
  return {
    workspaceId,
    provider,
    kind: 'Conversation',
    nativeId: conversation.nativeId,
    encoded,
    contentHash: contentHash(encoded),
    status: conversation.status.value,
    createdAt: formatInstant(conversation.createdAt),
    providerUpdatedAt: conversation.updatedAt ? formatInstant(conversation.updatedAt) : null,
    messageCount: conversation.transcript?.messages.length ?? null,
    costKnown: conversation.cost !== null,
  };
}

function plainWrite(workspaceId: string, provider: Provider, kind: SyncedKind, nativeId: string, record: unknown): SyncedRecordWrite {
  const encoded = encodeRecord(record);
  return {
    workspaceId,
    provider,
    kind,
    nativeId,
    encoded,
    contentHash: contentHash(encoded),
    status: null,
    createdAt: null,
    providerUpdatedAt: null,
    messageCount: null,
    costKnown: null,
  };
}

/** What a new version changed, in the words subscribers filter on. */
function changeKinds(change: SyncedRecordChange, write: SyncedRecordWrite | undefined): ConversationChangeKind[] {
  if (change.inserted) return ['CREATED'];
  const kinds: ConversationChangeKind[] = [];
  if (write && write.status !== change.previousStatus) kinds.push('STATUS_CHANGED');
  if (write && (write.messageCount ?? 0) > (change.previousMessageCount ?? 0)) kinds.push('TRANSCRIPT_MESSAGE');
  if (write?.costKnown && !change.previousCostKnown) kinds.push('COST_KNOWN');
  return kinds.length > 0 ? kinds : ['UPDATED'];
}
