import { SeededRandom } from '../shared/random.ts';
import type { CreateConversationRequest } from './createConversationRequest.ts';
import { formatNaiveTimestamp, parseTimestampMicros } from './naiveTimestamp.ts';
import type { TrataAccountData } from './seedTrataAccount.ts';
import type {
  TrataAgentRecord,
  TrataAnalyticsRecord,
  TrataConversationRecord,
  TrataProspectRecord,
} from './trataRecords.ts';

export interface ConversationQuery {
  agentId?: string;
  prospectId?: string;
  sourceType?: string;
  /** Epoch microseconds, inclusive. */
  createdAfter?: number;
  /** Epoch microseconds, exclusive. */
  createdBefore?: number;
  ids?: readonly string[];
}

export interface PageRequest {
  /** 1-based. */
  page: number;
  limit: number;
}

export interface StorePage<T> {
  data: T[];
  total: number;
}

interface Stored<T> {
  record: T;
  /** `createdAt` in epoch microseconds, kept for ordering and time filters. */
  createdAt: number;
}

/**
 * One Trata account's data and the queries the simulator answers over it. Every collection is
 * kept newest first (`createdAt` descending, then `id` descending), the order the list endpoints
 * answer in.
 */
export class TrataAccountStore {
  readonly orgId: string;
  #conversations: Stored<TrataConversationRecord>[];
  #agents: Stored<TrataAgentRecord>[];
  #prospects: Stored<TrataProspectRecord>[];
  /** Ids of records created over the API; their own stream so seeded data never shifts. */
  #ids: SeededRandom;

  constructor(data: TrataAccountData, seed: number) {
    this.orgId = data.orgId;
    this.#conversations = newestFirst(data.conversations.map(stored));
    this.#agents = newestFirst(data.agents.map(stored));
    this.#prospects = newestFirst(data.prospects.map(stored));
    this.#ids = new SeededRandom(seed ^ 0x7a7a);
  }

  listConversations(query: ConversationQuery, page: PageRequest): StorePage<TrataConversationRecord> {
    const ids = query.ids ? new Set(query.ids) : null;
    const matching = this.#conversations.filter(
      ({ record, createdAt }) =>
        (ids === null || ids.has(record.id)) &&
        (query.agentId === undefined || record.aiAgentId === query.agentId) &&
        (query.prospectId === undefined || record.prospectId === query.prospectId) &&
        (query.sourceType === undefined || record.sourceType === query.sourceType) &&
        (query.createdAfter === undefined || createdAt >= query.createdAfter) &&
        (query.createdBefore === undefined || createdAt < query.createdBefore),
    );
    return paginate(matching, page);
  }

  getConversation(id: string): TrataConversationRecord | null {
    return this.#conversations.find(({ record }) => record.id === id)?.record ?? null;
  }

  listAgents(ids: readonly string[] | undefined, page: PageRequest): StorePage<TrataAgentRecord> {
    return paginate(byIds(this.#agents, ids), page);
  }

  getAgent(id: string): TrataAgentRecord | null {
    return this.#agents.find(({ record }) => record.id === id)?.record ?? null;
  }

  listProspects(ids: readonly string[] | undefined, page: PageRequest): StorePage<TrataProspectRecord> {
    return paginate(byIds(this.#prospects, ids), page);
  }

  getProspect(id: string): TrataProspectRecord | null {
    return this.#prospects.find(({ record }) => record.id === id)?.record ?? null;
  }

  /**
   * Stores a conversation sent to `POST /v1/conversations`. The request's `transcriptText` is a
   * URL the simulator cannot fetch, so the stored transcript is empty. The caller named in the
   * analytics is linked to the prospect with the same phone number or email, or becomes a new
   * prospect (the document's response carries a `prospectId` its request did not send).
   */
  createConversation(request: CreateConversationRequest, now: number): TrataConversationRecord {
    const analytics = request.conversationAnalytics ? storedAnalytics(request.conversationAnalytics) : null;
    const prospect = analytics ? this.#prospectFor(analytics, now) : null;
    const record: TrataConversationRecord = {
      id: `con.${Math.floor(now / 1_000_000)}.${this.#ids.token(8)}`,
      orgId: this.orgId,
      prospectId: prospect?.id ?? null,
      source: request.source ?? null,
      sourceType: request.sourceType,
      aiAgentId: request.agentId,
      transcriptText: [],
      transcriptSummary: request.transcriptSummary ?? null,
      transcriptRecordingUrl: request.transcriptRecordingUrl ?? null,
      timestampStart: normalizedTimestamp(request.timestampStart),
      timestampEnd: normalizedTimestamp(request.timestampEnd),
      conversationAnalytics: analytics,
      adminComments: request.adminComments ?? [],
      status: 'active',
      createdBy: 'trata-system',
      createdAt: formatNaiveTimestamp(now),
      updatedBy: 'trata-system',
      updatedAt: formatNaiveTimestamp(now + 1),
    };
    this.#conversations = newestFirst([...this.#conversations, { record, createdAt: now }]);
    return record;
  }

  #prospectFor(analytics: TrataAnalyticsRecord, now: number): TrataProspectRecord | null {
    const phoneDigits = digitsOf(analytics.phone_number_of_caller);
    const email = analytics.email_address_of_caller?.toLowerCase() || null;
    const known = this.#prospects.find(
      ({ record }) =>
        (phoneDigits !== null && digitsOf(record.phoneNumber) === phoneDigits) ||
        (email !== null && record.email?.toLowerCase() === email),
    )?.record;
    if (known) {
      if (analytics.prospectStatus) known.prospectStatus = analytics.prospectStatus;
      known.updatedAt = formatNaiveTimestamp(now);
      return known;
    }
    if (!analytics.name_of_caller && phoneDigits === null && email === null) return null;
    const prospect: TrataProspectRecord = {
      id: `pro.${Math.floor(now / 1_000_000)}.${this.#ids.token(8)}`,
      orgId: this.orgId,
      name: analytics.name_of_caller ?? '',
      phoneNumber: analytics.phone_number_of_caller,
      email: analytics.email_address_of_caller,
      address: analytics.address_of_caller,
      prospectStatus: analytics.prospectStatus ?? 'NEW',
      createdAt: formatNaiveTimestamp(now),
      updatedAt: formatNaiveTimestamp(now),
    };
    this.#prospects = newestFirst([...this.#prospects, { record: prospect, createdAt: now }]);
    return prospect;
  }
}

function storedAnalytics(analytics: NonNullable<CreateConversationRequest['conversationAnalytics']>): TrataAnalyticsRecord {
  return {
    summary: analytics.summary ?? null,
    action_items: analytics.action_items ?? [],
    is_audio_consent_given: analytics.is_audio_consent_given ?? null,
    email_address_of_caller: analytics.email_address_of_caller ?? null,
    name_of_caller: analytics.name_of_caller ?? null,
    phone_number_of_caller: analytics.phone_number_of_caller ?? null,
    address_of_caller: analytics.address_of_caller ?? null,
    sentiment_of_caller: analytics.sentiment_of_caller ?? null,
    prospectStatus: analytics.prospectStatus ?? null,
  };
}

/** Trata answers every time in its own zoneless UTC form, whatever form the request used. */
function normalizedTimestamp(value: string | null | undefined): string | null {
  const micros = value ? parseTimestampMicros(value) : null;
  return micros === null ? null : formatNaiveTimestamp(micros);
}

function digitsOf(phone: string | null | undefined): string | null {
  const digits = phone?.replace(/\D/g, '') ?? '';
  return digits.length >= 7 ? digits : null;
}

function stored<T extends { createdAt: string }>(record: T): Stored<T> {
  const createdAt = parseTimestampMicros(record.createdAt);
  if (createdAt === null) throw new Error(`seed record with unreadable createdAt ${record.createdAt}`);
  return { record, createdAt };
}

function newestFirst<T extends { id: string }>(items: Stored<T>[]): Stored<T>[] {
  return items.sort((a, b) => b.createdAt - a.createdAt || (a.record.id < b.record.id ? 1 : a.record.id > b.record.id ? -1 : 0));
}

function byIds<T extends { id: string }>(items: Stored<T>[], ids: readonly string[] | undefined): Stored<T>[] {
  if (ids === undefined) return items;
  const wanted = new Set(ids);
  return items.filter(({ record }) => wanted.has(record.id));
}

function paginate<T>(items: Stored<T>[], { page, limit }: PageRequest): StorePage<T> {
  const start = (page - 1) * limit;
  return { data: items.slice(start, start + limit).map(({ record }) => record), total: items.length };
}
