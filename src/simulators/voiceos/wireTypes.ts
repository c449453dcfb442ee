/**
 * What the VoiceOS simulator writes, field by field. The VoiceOS document describes every field
 * but names none, so each name here is an assumption (snake_case, like the document's event
 * names); `src/providers/voiceos/README.md` lists them. The value lists are the document's own.
 */

export const CONVERSATION_STATUSES = ['started', 'ended', 'queued'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export const CONVERSATION_TYPES = ['inbound_phone_call', 'outbound_phone_call', 'web_call'] as const;
export type ConversationType = (typeof CONVERSATION_TYPES)[number];

export const END_REASONS = ['agent_ended', 'user_ended', 'unknown'] as const;
export type EndReason = (typeof END_REASONS)[number];

export const AGENT_EVENTS = [
  'phone_call:connection_requested',
  'phone_call:rejected',
  'phone_call:accepted',
  'function_call:triggered',
  'conversation:started',
  'conversation:ended',
  'conversation:duration',
  'speech:started',
  'speech:ended',
  'message:sent',
  'message:generated',
] as const;
export type AgentEvent = (typeof AGENT_EVENTS)[number];

export const OPENAI_MODELS = [
  'gpt-3.5-turbo',
  'gpt-3.5-turbo-0125',
  'gpt-3.5-turbo-1106',
  'gpt-3.5-turbo-16k',
  'gpt-3.5-turbo-0613',
  'gpt-4-turbo',
  'gpt-4-turbo-2024-04-09',
  'gpt-4-turbo-preview',
  'gpt-4-0125-preview',
  'gpt-4-1106-preview',
  'gpt-4-0613',
  'gpt-4',
  'gpt-4o',
] as const;
export type OpenAiModel = (typeof OPENAI_MODELS)[number];

export const TRANSCRIBER_LANGUAGES = [
  'en', 'fr', 'es', 'de', 'it', 'nl', 'pt', 'ru', 'ja', 'cs',
  'da', 'el', 'hi', 'id', 'ko', 'no', 'pl', 'sv', 'tr', 'uk',
] as const;
export type TranscriberLanguage = (typeof TRANSCRIBER_LANGUAGES)[number];

export const DEEPGRAM_MODELS = [
  'nova-2',
  'nova-2-general',
  'nova-2-meeting',
  'nova-2-phonecall',
  'nova-2-finance',
  'nova-2-voicemail',
  'nova-2-medical',
  'nova-2-drivethru',
  'nova-2-automotive',
  'nova-2-conversationalai',
] as const;
export type DeepgramModel = (typeof DEEPGRAM_MODELS)[number];

export const PLAYHT_VOICES = ['susan', 'william', 'phoebe', 'arthur', 'ayla', 'dylan', 'madelyn', 'oliver', 'sophia'] as const;
export type PlayhtVoice = (typeof PLAYHT_VOICES)[number];

export interface Hook {
  type: 'hang_up';
  events: AgentEvent[];
}

export interface LlmConfig {
  provider: 'openai';
  credential_id: string | null;
  max_tokens: number;
  model: OpenAiModel;
  temperature: number;
}

export interface TranscriberConfig {
  provider: 'deepgram';
  credential_id: string | null;
  keywords: string[];
  language: TranscriberLanguage;
  model: DeepgramModel;
}

/** The document calls the voice "the playht model to use"; we name the field `voice`. */
export interface VoiceConfig {
  provider: 'playht';
  credential_id: string | null;
  voice: PlayhtVoice;
  speed: number;
  emotion: number;
  temperature: number;
  text_guidance: number;
}

export interface Webhook {
  method: 'GET' | 'POST';
  url: string;
  events: AgentEvent[];
}

/**
 * What a webhook receives about one event: a GET's query parameters, a POST's JSON body. The
 * document configures webhooks (method, url, events) but shows no payload, so the fields are
 * assumed, snake_case like the rest: the event (one the webhook lists), the conversation's id and
 * its status (one of the document's three values), and when the event happened.
 */
export interface HookDelivery {
  event: AgentEvent;
  conversation_id: string;
  status: ConversationStatus;
  occurred_at: string;
}

/** The agent configuration, in the document's order. */
export interface AgentConfig {
  hooks: Hook[];
  initial_message: string | null;
  llm: LlmConfig;
  max_duration: number | null;
  metadata: Record<string, unknown>;
  prompt: string;
  transcriber: TranscriberConfig;
  voice: VoiceConfig;
  webhooks: Webhook[];
}

/** A saved agent: its configuration plus identity (assumed, the document shows none). */
export interface AgentRecord extends AgentConfig {
  id: string;
  name: string;
  created_at: string;
}

export interface Cost {
  agent: { cost: number; provider: 'voiceos'; seconds: number };
  llm: { cost: number; input_tokens: number; output_tokens: number; provider: 'openai' | 'google' };
  total: number;
  transcriber: { cost: number; provider: 'deepgram' | 'azure'; seconds: number };
  voice: { characters: number; cost: number; provider: 'azure' | 'elevenlabs' | 'rimeai' | 'deepgram' | 'playht' };
  /** Null over web. */
  telephony: { cost: number; provider: 'twilio'; seconds: number } | null;
}

/** The document names no phone call fields at all; this shape is assumed. */
export interface PhoneCall {
  from_number: string;
  to_number: string;
  direction: 'inbound' | 'outbound';
  /** The carrier's call id; null until the carrier has the call (a queued outbound call). */
  provider_call_id: string | null;
}

/** A conversation, in the document's order, with `created_at` appended (the filters imply it). */
export interface ConversationRecord {
  account_id: string;
  agent: AgentConfig;
  id: string;
  status: ConversationStatus;
  type: ConversationType;
  uri: string;
  agent_id: string | null;
  /** Null while queued: nothing has been used yet. */
  cost: Cost | null;
  end_time: string | null;
  end_reason: EndReason | null;
  phone_call: PhoneCall | null;
  /** Null while queued (assumed; the document does not say). */
  start_time: string | null;
  created_at: string;
}

export interface ListPage {
  total: number;
  page: number;
}

export interface ErrorBody {
  error: { code: 'unauthorized' | 'invalid_request' | 'not_found'; message: string };
}
