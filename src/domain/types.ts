/**
 * The unified domain model. Connectors map provider wire shapes into these types; resolvers
 * read them. Nothing here knows about GraphQL or HTTP.
 *
 * Conventions:
 * - `null` means "the provider did not report it", never a default. A cost of zero is a real zero.
 * - Every normalized enum keeps the provider's raw value beside it, so a value no document lists
 *   maps to `UNKNOWN` without losing information.
 */

import type { Decimal } from './decimal.ts';

export const PROVIDERS = ['ORATION', 'TRATA', 'VOICEOS'] as const;
export type Provider = (typeof PROVIDERS)[number];

// Lists where something checks values at run time (the exports' parameters), so a value added
// here is accepted there too.
export const CONVERSATION_CHANNELS = ['PHONE_INBOUND', 'PHONE_OUTBOUND', 'PHONE', 'WEB', 'CHAT', 'UNKNOWN'] as const;
export type ConversationChannel = (typeof CONVERSATION_CHANNELS)[number];
export const CONVERSATION_STATUSES = ['QUEUED', 'DIALING', 'IN_PROGRESS', 'ENDED', 'FAILED', 'UNKNOWN'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
export const END_REASONS = ['CUSTOMER_DID_NOT_ANSWER', 'AGENT_ENDED', 'CUSTOMER_ENDED', 'MAX_DURATION_REACHED', 'ERROR', 'UNKNOWN'] as const;
export type EndReason = (typeof END_REASONS)[number];
export const SENTIMENTS = ['POSITIVE', 'NEUTRAL', 'NEGATIVE', 'MIXED', 'UNKNOWN'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];
export type RecordingStatus = 'IN_PROGRESS' | 'AVAILABLE' | 'FAILED' | 'UNKNOWN';
export type Speaker = 'AGENT' | 'CUSTOMER' | 'SYSTEM' | 'UNKNOWN';
export type CostUnit = 'SECONDS' | 'INPUT_TOKENS' | 'OUTPUT_TOKENS' | 'CHARACTERS';
export type CostComponentKind = 'AGENT' | 'LLM' | 'TRANSCRIBER' | 'VOICE' | 'TELEPHONY';

/** A normalized enum value and the provider's raw spelling of it. */
export interface Normalized<T extends string> {
  value: T;
  raw: string | null;
}

/** A reference to another entity of the same provider, resolved lazily through a DataLoader. */
export interface EntityRef {
  provider: Provider;
  nativeId: string;
  /**
   * The entity is the configuration the record itself embeds (a VoiceOS conversation run with an
   * inline agent, `Conversation.embeddedAgent`): answered from the record, never loaded.
   */
  embedded?: true;
}

export interface PhoneNumber {
  /** As the provider gave it, e.g. `96260-12778`. */
  raw: string;
  /** E.164 form when it can be derived without guessing a country, else null. */
  e164: string | null;
}

export interface Recording {
  url: string | null;
  status: Normalized<RecordingStatus> | null;
}

export interface AdminComment {
  comment: string | null;
  rating: number | null;
}

export interface ConversationAnalytics {
  summary: string | null;
  sentiment: Normalized<Sentiment> | null;
  actionItems: string[];
  callerName: string | null;
  callerPhone: PhoneNumber | null;
  callerEmail: string | null;
  callerAddress: string | null;
  audioConsentGiven: boolean | null;
  prospectStatus: string | null;
}

export interface PostCall {
  notes: string | null;
  categories: string[];
  metadata: Record<string, unknown> | null;
  // --- provider field coverage (issue 8 part 4) ---
  /** Oration's `postCallCategory1..3` by position, null where a slot is empty. */
  categoriesByPosition: (string | null)[];
}

export interface TranscriptMessage {
  /** Provider message id when it is a real id; null when the provider reused the text as id. */
  id: string | null;
  speaker: Normalized<Speaker>;
  text: string;
  at: Date | null;
}

export interface Transcript {
  messages: TranscriptMessage[];
  /** How many exact repeats (same speaker, text and time) the provider sent and we removed. */
  duplicatesRemoved: number;
  /** Where the provider keeps the transcript, when it gave that address instead of the messages (then `messages` is empty). */
  url?: string | null;
}

export interface CostComponent {
  kind: CostComponentKind;
  provider: string | null;
  /** Exact, in the cost's currency; null when the provider did not report it. */
  amount: Decimal | null;
  quantities: { unit: CostUnit; amount: number }[];
}

/** Money is exact (`Decimal`), never a float: components must add up to the total exactly. */
export interface Cost {
  /** ISO 4217 code of every amount of this cost. */
  currency: string;
  total: Decimal | null;
  components: CostComponent[];
}

export interface LlmConfig {
  provider: string | null;
  model: string | null;
  temperature: number | null;
  maxTokens: number | null;
  /** Who pays: the account credential, or null when the provider bills it in the conversation. */
  credentialId: string | null;
}

export interface TranscriberConfig {
  provider: string | null;
  model: string | null;
  language: string | null;
  keywords: string[];
  credentialId: string | null;
}

export interface VoiceConfig {
  provider: string | null;
  voice: string | null;
  speed: number | null;
  emotion: number | null;
  temperature: number | null;
  textGuidance: number | null;
  credentialId: string | null;
}

export interface Webhook {
  method: string | null;
  url: string;
  events: string[];
}

export interface Agent {
  /** The type tag `Node` resolution reads (never guessed from the shape). */
  kind: 'Agent';
  provider: Provider;
  nativeId: string;
  name: string | null;
  prompt: string | null;
  initialMessage: string | null;
  maxDurationSeconds: number | null;
  llm: LlmConfig | null;
  transcriber: TranscriberConfig | null;
  voice: VoiceConfig | null;
  webhooks: Webhook[];
  hookEvents: string[];
  metadata: Record<string, unknown> | null;
  createdAt: Date | null;
  // --- provider field coverage (issue 8 part 4) ---
  updatedAt: Date | null;
  providerAccountId: string | null;
  /** True: any duration (VoiceOS `max_duration: null`); false: `maxDurationSeconds` is the limit; null: not reported. */
  maxDurationUnlimited: boolean | null;
  hooks: AgentHook[];
  trata: TrataAgentDetails | null;
}

export interface AgentHook {
  type: string | null;
  events: string[];
}

export interface TrataAgentDetails {
  description: string | null;
  status: string | null;
}

export interface Prospect {
  /** The type tag `Node` resolution reads (never guessed from the shape). */
  kind: 'Prospect';
  provider: Provider;
  nativeId: string;
  name: string | null;
  phone: PhoneNumber | null;
  email: string | null;
  address: string | null;
  status: string | null;
  createdAt: Date | null;
  // --- provider field coverage (issue 8 part 4) ---
  updatedAt: Date | null;
  providerAccountId: string | null;
}

export interface Conversation {
  /** The type tag `Node` resolution reads (never guessed from the shape). */
  kind: 'Conversation';
  provider: Provider;
  nativeId: string;
  channel: Normalized<ConversationChannel>;
  status: Normalized<ConversationStatus>;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  /**
   * Seconds from the provider's start time to its end time; what that span covers differs by
   * provider (Oration's starts when dialing begins). `talkSeconds` and `ringSeconds` mean one
   * thing on every provider.
   */
  durationSeconds: number | null;

  // --- Durations with one meaning across providers (issue 8, exact values) ---
  /** Seconds the customer was connected to the agent; 0 when a call ended unanswered; null when not reported (yet). */
  talkSeconds: number | null;
  /** Seconds of dialing and ringing before the customer joined (the whole call when they never did); null when not reported. */
  ringSeconds: number | null;
  // ---
  endReason: Normalized<EndReason> | null;
  fromNumber: PhoneNumber | null;
  toNumber: PhoneNumber | null;
  sipTrunkAddress: string | null;
  agentRef: EntityRef | null;
  /**
   * The agent configuration as it was when the conversation ran, when the provider embeds it
   * (VoiceOS). Its native id is its own; `agentRef` may point to it (an inline agent) or to a
   * saved agent.
   */
  embeddedAgent: Agent | null;
  prospectRef: EntityRef | null;
  /** Embedded transcript when the provider sends it with the conversation (Trata); else null. */
  transcript: Transcript | null;
  summary: string | null;
  recording: Recording | null;
  analytics: ConversationAnalytics | null;
  postCall: PostCall | null;
  /** Exactly what the conversation was started with; the gateway's own tag is never among them. */
  dynamicVariables: Record<string, unknown> | null;
  /**
   * The fan-out request id this gateway tagged the conversation with when it created it
   * (`REQUEST_ID_VARIABLE`), taken out of `dynamicVariables`; null for conversations it did not create.
   */
  gatewayRequestId: string | null;
  adminComments: AdminComment[];
  cost: Cost | null;
  /** Opaque provider-specific extras worth keeping (e.g. Oration's wsUrl), never secrets. */
  uri: string | null;
  // --- provider field coverage (issue 8 part 4) ---
  updatedAt: Date | null;
  /** The provider account that owns it (Oration workspace, Trata org, VoiceOS account). */
  providerAccountId: string | null;
  /** Fields only one provider reports, raw; null on the other providers' conversations. */
  oration: OrationConversationDetails | null;
  trata: TrataConversationDetails | null;
  voiceos: VoiceOsConversationDetails | null;
}

export interface OrationConversationDetails {
  customerId: string | null;
  phoneId: string | null;
  llmUrl: string | null;
  telephonyType: string | null;
  telephonyStatus: string | null;
  userJoinTime: Date | null;
  userLeaveTime: Date | null;
}

export interface TrataConversationDetails {
  source: string | null;
  createdBy: string | null;
  updatedBy: string | null;
}

export interface VoiceOsConversationDetails {
  phoneCallDirection: string | null;
  providerCallId: string | null;
}
