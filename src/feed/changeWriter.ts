import type { Agent, Conversation, Prospect, Provider } from '../domain/types.ts';
import { formatInstant } from '../domain/preciseDate.ts';
import { ProviderBadResponseError } from '../providers/errors.ts';
import type { Database } from '../store/database.ts';
import { upsertSyncedRecords, type SyncedKind, type SyncedRecordChange, type SyncedRecordWrite } from '../store/queries/syncedRecords.ts';
import { contentHash, encodeRecord } from '../sync/recordCodec.ts';
import type { ChangeEvent, ChangeFeed, ConversationChangeKind } from './changeEvent.ts';

export interface ChangeWriterOptions {
  database: Database;
  feed: ChangeFeed;
  /** Whether transcripts are stored; false keeps them out of the store for privacy. @default true */
  keepTranscripts?: boolean;
  /** Told about each record left out because a field breaks its provider's contract. */
  onRecordRefused?: (refused: { workspaceId: string; provider: Provider; nativeId: string; issues: readonly string[] }) => void;
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

  /**
   * Stores conversations; returns how many were new or changed. A conversation with a field that
   * breaks its provider's contract (read lazily, so found only now, as it is encoded) is left out
   * and reported, and the rest are stored: one broken record must not keep a whole page, or the
   * fan-out's batch events behind it, out of the store. The next read stores it once it is fixed.
   */
  async writeConversations(workspaceId: string, provider: Provider, conversations: readonly Conversation[]): Promise<number> {
    const keep = this.#options.keepTranscripts ?? true;
    const writes: SyncedRecordWrite[] = [];
    for (const conversation of conversations) {
      try {
        writes.push(conversationWrite(workspaceId, provider, keep ? conversation : withoutTranscript(conversation)));
      } catch (error) {
        if (!(error instanceof ProviderBadResponseError)) throw error;
        this.#options.onRecordRefused?.({ workspaceId, provider, nativeId: conversation.nativeId, issues: error.issues });
      }
    }
    const changes = await this.#upsert(writes);
    const events: ChangeEvent[] = changes.map((change) => ({
      type: 'conversation',
      workspaceId,
      provider,
      nativeId: change.nativeId,
      version: change.version,
      changes: changeKinds(change, writes[change.writeIndex]),
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

/**
 * The conversation without its transcript, read key by key: a spread would read the transcript
 * too, and a lazily validated record would validate (and could refuse) what is thrown away.
 */
function withoutTranscript(conversation: Conversation): Conversation {
  const copy: Record<string, unknown> = {};
  // Reflect.ownKeys, not Object.keys: that asks each key's descriptor, which reads its value.
  for (const key of Reflect.ownKeys(conversation)) {
    if (typeof key === 'string' && key !== 'transcript') copy[key] = conversation[key as keyof Conversation];
  }
  return { ...(copy as unknown as Conversation), transcript: null };
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
