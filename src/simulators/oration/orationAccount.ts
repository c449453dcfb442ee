import type { SeededRandom } from '../shared/random.ts';
import { ConcurrencyBudget } from './concurrencyBudget.ts';
import { LiveConversation, type OrationLifecycle } from './liveConversation.ts';
import type { OrationAgentRecord, OrationConversationRecord } from './orationRecords.ts';
import type { OrationCreateItem } from './parseCreateBody.ts';
import type { OrationListQuery } from './parseListQuery.ts';
import { seedOrationAccount } from './seedOrationAccount.ts';

export interface OrationAccountConfig {
  apiKey: string;
  workspaceId: string;
  seed: number;
  withDocumentSamples: boolean;
}

export interface Page<T> {
  results: T[];
  total: number;
}

/** The tag the gateway puts on every conversation it creates; counted to detect double dials. */
const REQUEST_ID_VARIABLE = 'switchboardRequestId';

/**
 * One Oration workspace: its agents, its past conversations, the conversations created through
 * the API, and its concurrency budget. Nothing here is shared with another account.
 */
export class OrationAccount {
  readonly config: OrationAccountConfig;
  readonly budget: ConcurrencyBudget;
  readonly #agents: OrationAgentRecord[];
  readonly #agentsById: Map<string, OrationAgentRecord>;
  readonly #historic: OrationConversationRecord[];
  readonly #live: LiveConversation[] = [];
  readonly #liveIds = new Set<string>();
  readonly #historicIds: ReadonlySet<string>;
  readonly #phone: { id: string; number: string };

  constructor(config: OrationAccountConfig, options: { anchor: Date; historicConversations: number; concurrencyLimit: number }) {
    this.config = config;
    this.budget = new ConcurrencyBudget(options.concurrencyLimit);
    const seeded = seedOrationAccount(config, options);
    this.#agents = seeded.agents.sort(newestFirst);
    this.#agentsById = new Map(seeded.agents.map((agent) => [agent.id, agent]));
    this.#historic = seeded.conversations;
    this.#historicIds = new Set(seeded.conversations.map((conversation) => conversation.id));
    this.#phone = seeded.phone;
  }

  /** Why Oration would refuse this item, or null when it can be created. */
  problemWith(item: OrationCreateItem): string | null {
    if (!this.#agentsById.has(item.agentId)) return `Agent ${item.agentId} not found`;
    if (item.conversationType !== 'chat' && item.conversationType !== 'telephony') {
      return `Invalid conversationType ${item.conversationType}: expected chat or telephony`;
    }
    if (item.conversationType === 'telephony' && item.toPhoneNumber === null && item.sipTrunkAddress === null) {
      return 'toPhoneNumber or sipTrunkAddress is required for telephony conversations';
    }
    return null;
  }

  /**
   * Draws the conversation an item `problemWith` accepted would become, without creating it yet:
   * the simulator records it durably first, then `admit`s it.
   */
  plan(
    item: OrationCreateItem,
    context: { nowMs: number; lifecycle: OrationLifecycle; random: SeededRandom },
  ): LiveConversation {
    const agent = this.#agentsById.get(item.agentId);
    if (!agent) throw new Error(`plan called for unknown agent ${item.agentId}`);
    return LiveConversation.plan(
      {
        id: this.#unusedId(context.random),
        workspaceId: this.config.workspaceId,
        agentId: agent.id,
        agentMaxDurationSeconds: agent.maxDurationSeconds,
        conversationType: item.conversationType === 'chat' ? 'chat' : 'telephony',
        toPhoneNumber: item.toPhoneNumber,
        phone: this.#phone,
        dynamicVariables: item.dynamicVariables,
        createdAtMs: context.nowMs,
      },
      context.lifecycle,
      context.random,
    );
  }

  /**
   * Makes a planned (or restored) conversation part of the account and holds its budget slot
   * from its creation until its end. Restored conversations are admitted in creation order, so
   * the budget's figures (peak, duplicates) come out as they were.
   */
  admit(conversation: LiveConversation, nowMs: number): void {
    if (this.#liveIds.has(conversation.id)) throw new Error(`conversation ${conversation.id} exists already`);
    this.#live.push(conversation);
    this.#liveIds.add(conversation.id);
    const requestId = conversation.input.dynamicVariables[REQUEST_ID_VARIABLE];
    this.budget.hold(
      {
        createdAtMs: conversation.createdAtMs,
        endsAtMs: conversation.endsAtMs,
        requestId: typeof requestId === 'string' ? requestId : null,
      },
      nowMs,
    );
  }

  /** An id no conversation of this account has; a drawn id is unique unless a saved state was lost. */
  #unusedId(random: SeededRandom): string {
    for (;;) {
      const id = random.uuid();
      if (!this.#liveIds.has(id) && !this.#historicIds.has(id)) return id;
    }
  }

  /** Conversations matching `query`, newest first, one page of them, with the count of all matches. */
  listConversations(query: OrationListQuery, nowMs: number): Page<OrationConversationRecord> {
    const ids = query.ids ? new Set(query.ids) : null;
    const matches = this.#conversationsAt(nowMs).filter((conversation) => {
      const createdAtMs = Date.parse(conversation.createdAt);
      return (
        (ids === null || ids.has(conversation.id)) &&
        (query.status === null || conversation.conversationStatus === query.status) &&
        (query.conversationType === null || conversation.conversationType === query.conversationType) &&
        (query.agentId === null || conversation.agentId === query.agentId) &&
        (query.createdAfterMs === null || createdAtMs > query.createdAfterMs) &&
        (query.createdBeforeMs === null || createdAtMs < query.createdBeforeMs)
      );
    });
    return pageOf(matches.sort(newestFirst), query);
  }

  conversation(id: string, nowMs: number): OrationConversationRecord | null {
    const live = this.#live.find((conversation) => conversation.id === id);
    if (live) return live.recordAt(nowMs);
    return this.#historic.find((conversation) => conversation.id === id) ?? null;
  }

  listAgents(query: OrationListQuery): Page<OrationAgentRecord> {
    const ids = query.ids ? new Set(query.ids) : null;
    return pageOf(
      this.#agents.filter((agent) => ids === null || ids.has(agent.id)),
      query,
    );
  }

  agent(id: string): OrationAgentRecord | null {
    return this.#agentsById.get(id) ?? null;
  }

  #conversationsAt(nowMs: number): OrationConversationRecord[] {
    return [...this.#historic, ...this.#live.map((conversation) => conversation.recordAt(nowMs))];
  }
}

/** `createdAt` descending, then `id` descending: the order every list endpoint answers in. */
function newestFirst(a: { createdAt: string; id: string }, b: { createdAt: string; id: string }): number {
  const byTime = Date.parse(b.createdAt) - Date.parse(a.createdAt);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function pageOf<T>(sorted: T[], query: OrationListQuery): Page<T> {
  const start = (query.page - 1) * query.limit;
  return { results: sorted.slice(start, start + query.limit), total: sorted.length };
}
