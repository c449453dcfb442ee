import type {
  Agent,
  Conversation,
  ConversationChannel,
  ConversationStatus,
  Prospect,
  Provider,
} from '../domain/types.ts';

/** Filters over conversations, in domain terms. Each connector pushes down what its API can do. */
export interface ConversationFilter {
  statuses?: readonly ConversationStatus[];
  channels?: readonly ConversationChannel[];
  agentNativeIds?: readonly string[];
  prospectNativeIds?: readonly string[];
  createdAfter?: Date;
  createdBefore?: Date;
}

/**
 * A position in the newest-first order of one provider's conversations. The order is
 * `createdAt` descending, then `nativeId` descending, so two conversations created in the same
 * instant still have a stable place.
 */
export interface ConversationPosition {
  createdAt: Date;
  nativeId: string;
}

export interface ConversationListRequest {
  filter: ConversationFilter;
  /** Only conversations strictly after this position in newest-first order. */
  after?: ConversationPosition | null;
  /** How many to return at most. */
  limit: number;
  /** Also report how many conversations match `filter` in total (ignoring `after`). */
  withTotal?: boolean;
}

export interface ConversationListPage {
  items: Conversation[];
  /** Count of all matching conversations when asked for and known; else null. */
  totalCount: number | null;
  /** Whether more matching conversations follow the last item. */
  hasMore: boolean;
}

export interface OffsetRequest {
  offset: number;
  limit: number;
}

export interface OffsetPage<T> {
  items: T[];
  totalCount: number;
}

/** One conversation to create, already validated; the connector maps it to its wire shape. */
export interface ConversationCreateRequest {
  /** The gateway's own id for this item; sent along so a crash can be reconciled. */
  requestId: string;
  agentNativeId: string;
  channel: 'PHONE_OUTBOUND' | 'CHAT' | 'WEB';
  toNumber: string | null;
  sipTrunkAddress: string | null;
  dynamicVariables: Record<string, string | number | boolean>;
}

export type ConversationCreateOutcome =
  | { requestId: string; ok: true; conversation: Conversation }
  | { requestId: string; ok: false; reason: string };

/**
 * What a rate-limited provider told us about its budget on a response. All fields are optional;
 * see `src/providers/rateLimitHeaders.ts` for how headers are read.
 */
export interface RateLimitInfo {
  limit?: number;
  remaining?: number;
  /** Milliseconds until the window or a slot frees up. */
  resetMs?: number;
  retryAfterMs?: number;
}

export interface ConversationCreateResult {
  outcomes: ConversationCreateOutcome[];
  rateLimit: RateLimitInfo | null;
}

/** Conversations read by id (one entry per id, in order, null when unknown) and the budget news that came with them. */
export interface ConversationStatusRead {
  conversations: (Conversation | null)[];
  /** What the answers said about the budget; with several requests, the one with the least room. */
  rateLimit: RateLimitInfo | null;
}

export interface CreateOptions {
  /** Epoch milliseconds after which the create must not be sent any more. */
  notSentAfter?: number;
}

/** What a provider's API can do. Resolvers and the fan-out consult it instead of switching on names. */
export interface ProviderCapabilities {
  createConversations: boolean;
  /** Maximum conversations one create request may carry. */
  maxConversationsPerCreate: number;
  prospects: boolean;
}

/**
 * A provider connector, bound to one workspace's credentials. Connectors know nothing of GraphQL:
 * they return domain objects or throw `ProviderError`s. Batch methods return one entry per id in
 * the order given, `null` for an id the provider does not know.
 */
export interface ProviderConnector {
  readonly provider: Provider;
  readonly capabilities: ProviderCapabilities;

  listConversations(request: ConversationListRequest): Promise<ConversationListPage>;
  getConversations(nativeIds: readonly string[]): Promise<(Conversation | null)[]>;
  /**
   * `getConversations` plus the rate-limit headers of its answers. The fan-out polls the status of
   * the conversations it created with it, so every poll also refreshes the provider's count of free
   * slots (which sees other clients of the account). Optional: without it, only create answers
   * bring that count.
   */
  getConversationsWithRateLimit?(nativeIds: readonly string[]): Promise<ConversationStatusRead>;

  listAgents(request: OffsetRequest): Promise<OffsetPage<Agent>>;
  getAgents(nativeIds: readonly string[]): Promise<(Agent | null)[]>;

  listProspects(request: OffsetRequest): Promise<OffsetPage<Prospect>>;
  getProspects(nativeIds: readonly string[]): Promise<(Prospect | null)[]>;

  /**
   * Throws `UnsupportedByProviderError` when `capabilities.createConversations` is false. A create
   * not handed to the network by `options.notSentAfter` (epoch ms) is not sent at all and fails
   * with a `RequestNotSentError`.
   */
  createConversations(requests: readonly ConversationCreateRequest[], options?: CreateOptions): Promise<ConversationCreateResult>;

  /**
   * Finds conversations this gateway created, by the request ids it tagged them with. Used to
   * reconcile items a crash left mid-dispatch. Returns a map from request id to conversation.
   */
  findConversationsByRequestIds(requestIds: readonly string[], createdAfter: Date): Promise<Map<string, Conversation>>;
}

/** The dynamic variable under which the gateway tags every conversation it creates. */
export const REQUEST_ID_VARIABLE = 'switchboardRequestId';
