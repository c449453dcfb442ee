import type {
  Agent,
  Conversation,
  ConversationChannel,
  ConversationStatus,
  Prospect,
  Provider,
} from '../domain/types.ts';
import type { UpstreamObserver } from './http.ts';

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

/** The channels the gateway's API can ask a conversation to be created on. */
export type CreatableChannel = 'PHONE_OUTBOUND' | 'CHAT' | 'WEB';

/** One conversation to create, already validated; the connector maps it to its wire shape. */
export interface ConversationCreateRequest {
  /** The gateway's own id for this item; sent along so a crash can be reconciled. */
  requestId: string;
  agentNativeId: string;
  channel: CreatableChannel;
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
  /**
   * Epoch milliseconds after which the create must not be handed to the network any more: it is
   * not sent at all and fails with a `SendWindowMissedError` (a `RequestNotSentError`), so the
   * fan-out knows nothing reached the provider.
   */
  notSentAfter?: number;
}

/** The concurrency budget a provider account grants, shared by everyone using that account. */
export interface BudgetDescriptor {
  /**
   * Names the provider account, never a URL or a gateway workspace: two gateway workspaces on one
   * account share it, and the store keeps it (e.g. `ORATION:<provider workspace id>`).
   */
  key: string;
  /** Slots assumed until the provider states its own limit in rate-limit headers. */
  limit: number;
}

/** Reads a provider's conversations: a newest-first keyset list and a batch get by id. */
export interface ConversationReader {
  listConversations(request: ConversationListRequest): Promise<ConversationListPage>;
  /** One entry per id, in the order given, `null` for an id the provider does not know. */
  getConversations(nativeIds: readonly string[]): Promise<(Conversation | null)[]>;
}

/** Reads a provider's agents: an offset window and a batch get by id. */
export interface AgentReader {
  listAgents(request: OffsetRequest): Promise<OffsetPage<Agent>>;
  /** One entry per id, in the order given, `null` for an id the provider does not know. */
  getAgents(nativeIds: readonly string[]): Promise<(Agent | null)[]>;
}

/** Reads a provider's prospects (the people conversations are with, kept as records). */
export interface ProspectReader {
  listProspects(request: OffsetRequest): Promise<OffsetPage<Prospect>>;
  /** One entry per id, in the order given, `null` for an id the provider does not know. */
  getProspects(nativeIds: readonly string[]): Promise<(Prospect | null)[]>;
}

/**
 * Everything the fan-out needs from a provider that can place conversations. The fan-out asks
 * these questions and never names a provider: a provider that can dial is one creator away.
 */
export interface ConversationCreator {
  /** Most conversations one create request may carry; the fan-out chunks bursts by it. */
  readonly maxConversationsPerCreate: number;
  /**
   * Whether a refused create (429) created none of its conversations. When true, its items go
   * straight back to the queue; when false, they are reconciled (found by their request tag)
   * before anything is sent again, since some may have been created.
   */
  readonly allOrNothing: boolean;
  /** The provider account's budget these creates draw on. */
  readonly budget: BudgetDescriptor;
  /**
   * The channels the provider's create API can start, as its documents say. An item on another
   * channel is refused before anything is stored (`UNSUPPORTED_BY_PROVIDER`), never mapped to a
   * channel the client did not ask for.
   */
  readonly channels: readonly CreatableChannel[];

  /**
   * Creates conversations in ONE request (at most `maxConversationsPerCreate`, else RangeError:
   * splitting here could lose what a first request created if a later one failed), each tagged
   * with its `requestId` (`REQUEST_ID_VARIABLE`) so it can be found again. Honors
   * `options.notSentAfter` exactly (see `CreateOptions`).
   */
  createConversations(requests: readonly ConversationCreateRequest[], options?: CreateOptions): Promise<ConversationCreateResult>;

  /**
   * Finds conversations this gateway created, by the request ids it tagged them with, among those
   * created after `createdAfter`. Used to reconcile items a crash left mid-dispatch. Only a
   * returned map proves "not created"; a failure throws.
   */
  findConversationsByRequestIds(requestIds: readonly string[], createdAfter: Date): Promise<Map<string, Conversation>>;

  /**
   * `getConversations` plus what the answers said about the budget. The fan-out polls the status
   * of the conversations it created with it, so every poll also refreshes the provider's count of
   * free slots (which sees other clients of the account). `rateLimit` is null when the provider
   * sends no such news.
   */
  readStatuses(nativeIds: readonly string[]): Promise<ConversationStatusRead>;
}

/**
 * A provider connector, bound to one workspace's account. It is a reader of conversations and
 * agents; what only some providers have is an optional part, present or absent (never a method
 * that throws "unsupported"). Connectors know nothing of GraphQL: they return domain objects or
 * throw `ProviderError`s. See `src/providers/README.md`.
 */
export interface ProviderConnector extends ConversationReader, AgentReader {
  readonly provider: Provider;
  /** Present when the provider keeps prospects. */
  readonly prospects?: ProspectReader;
  /** Present when the gateway can place conversations through this provider. */
  readonly creator?: ConversationCreator;
}

/**
 * A connector a workspace holds: one per provider account, built once with the workspace. Each
 * GraphQL request reads through `reportingTo(its observer)`, so its access line and span count
 * the upstream requests sent for it; that costs a few closures, not the account's credentials,
 * headers and digest again.
 */
export interface WorkspaceConnector extends ProviderConnector {
  /** The same account's connector, its upstream requests told to `observer` instead of its transport's. */
  reportingTo(observer: UpstreamObserver): WorkspaceConnector;
}

/** The dynamic variable under which the gateway tags every conversation it creates. */
export const REQUEST_ID_VARIABLE = 'switchboardRequestId';
