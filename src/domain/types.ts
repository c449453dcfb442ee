/**
 * The unified domain model. Connectors map provider wire shapes into these types; resolvers
 * read them. Nothing here knows about GraphQL or HTTP.
 *
 * Conventions:
 * - `null` means "the provider did not report it", never a default. A cost of zero is a real zero.
 * - Every normalized enum keeps the provider's raw value beside it, so a value no document lists
 *   maps to `UNKNOWN` without losing information.
 */

export const PROVIDERS = ['ORATION', 'TRATA', 'VOICEOS'] as const;
export type Provider = (typeof PROVIDERS)[number];

export type ConversationChannel = 'PHONE_INBOUND' | 'PHONE_OUTBOUND' | 'PHONE' | 'WEB' | 'CHAT' | 'UNKNOWN';
export type ConversationStatus = 'QUEUED' | 'DIALING' | 'IN_PROGRESS' | 'ENDED' | 'FAILED' | 'UNKNOWN';
export type EndReason =
  | 'CUSTOMER_DID_NOT_ANSWER'
  | 'AGENT_ENDED'
  | 'CUSTOMER_ENDED'
  | 'MAX_DURATION_REACHED'
  | 'ERROR'
  | 'UNKNOWN';
export type Sentiment = 'POSITIVE' | 'NEUTRAL' | 'NEGATIVE' | 'MIXED' | 'UNKNOWN';
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
}

export interface CostComponent {
  kind: CostComponentKind;
  provider: string | null;
  amountUsd: number | null;
  quantities: { unit: CostUnit; amount: number }[];
}

export interface Cost {
  totalUsd: number | null;
  components: CostComponent[];
}

export interface LlmConfig {
  provider: string | null;
  model: string | null;
  temperature: number | null;
  maxTokens: number | null;
}

export interface TranscriberConfig {
  provider: string | null;
  model: string | null;
  language: string | null;
  keywords: string[];
}

export interface VoiceConfig {
  provider: string | null;
  voice: string | null;
  speed: number | null;
  emotion: number | null;
  temperature: number | null;
  textGuidance: number | null;
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
  /** Seconds; derived from start and end when the provider does not report it. */
  durationSeconds: number | null;
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
  dynamicVariables: Record<string, unknown> | null;
  adminComments: AdminComment[];
  cost: Cost | null;
  /** Opaque provider-specific extras worth keeping (e.g. Oration's wsUrl), never secrets. */
  uri: string | null;
}
