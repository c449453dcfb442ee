/** Pure VoiceOS wire -> domain mapping: no I/O, no clock. */
import { Decimal } from '../../domain/decimal.ts';
import { toPhoneNumber } from '../../domain/phone.ts';
import { parseProviderInstant, secondsBetween } from '../../domain/preciseDate.ts';
import type {
  Agent,
  Conversation,
  ConversationChannel,
  ConversationStatus,
  Cost,
  CostComponent,
  EndReason,
  EntityRef,
  Normalized,
  Provider,
  Webhook,
} from '../../domain/types.ts';
import { fieldOf, recordFields, sharedReadingOf, type FieldTable, type RecordPosition } from '../kit/recordFields.ts';
import { voiceOsAgentSchema, voiceOsConversationSchema, type VoiceOsAgent, type VoiceOsAgentConfig, type VoiceOsConversation, type VoiceOsCost } from './wire.ts';

const PROVIDER: Provider = 'VOICEOS';

/**
 * Native id prefix of an agent that exists only inside one conversation (VoiceOS reports
 * `agent_id: null` when a conversation ran an inline configuration). The connector resolves such
 * an id by fetching the conversation, so the agent's global id stays resolvable.
 */
export const INLINE_AGENT_PREFIX = 'conversation:';

const STATUSES = new Map<string, ConversationStatus>([
  ['queued', 'QUEUED'],
  ['started', 'IN_PROGRESS'],
  ['ended', 'ENDED'],
]);

const CHANNELS = new Map<string, ConversationChannel>([
  ['inbound_phone_call', 'PHONE_INBOUND'],
  ['outbound_phone_call', 'PHONE_OUTBOUND'],
  ['web_call', 'WEB'],
]);

const END_REASONS = new Map<string, EndReason>([
  ['agent_ended', 'AGENT_ENDED'],
  ['user_ended', 'CUSTOMER_ENDED'],
  ['unknown', 'UNKNOWN'],
]);

export function mapConversationStatus(raw: string): Normalized<ConversationStatus> {
  return { value: STATUSES.get(raw) ?? 'UNKNOWN', raw };
}

export function mapChannel(raw: string): Normalized<ConversationChannel> {
  return { value: CHANNELS.get(raw) ?? 'UNKNOWN', raw };
}

/** Null while the conversation has not ended (VoiceOS reports no reason yet). */
export function mapEndReason(raw: string | null | undefined): Normalized<EndReason> | null {
  if (raw === null || raw === undefined) return null;
  return { value: END_REASONS.get(raw) ?? 'UNKNOWN', raw };
}

/**
 * The native id of the configuration a conversation embeds. It is always tied to the
 * conversation, even when the conversation used a saved agent: the embedded copy is the
 * configuration as it was then, the saved agent may have changed since, and two different
 * objects must not share one global id (client caches normalize by id).
 */
export function embeddedAgentNativeId(conversationId: string): string {
  return `${INLINE_AGENT_PREFIX}${conversationId}`;
}

/** The conversation id inside an inline agent's native id, or null for a saved agent's id. */
export function inlineAgentConversationId(agentNativeId: string): string | null {
  return agentNativeId.startsWith(INLINE_AGENT_PREFIX) ? agentNativeId.slice(INLINE_AGENT_PREFIX.length) : null;
}

const field = fieldOf<VoiceOsConversation>();
/** Duration and talk time both read start..end: the two times are parsed once per record. */
const startAndEnd = sharedReadingOf<VoiceOsConversation>()(['start_time', 'end_time'], (wire) => ({
  start: parseProviderInstant(wire.start_time),
  end: parseProviderInstant(wire.end_time),
}));

/** The configuration a conversation embeds, as an agent of its own (see `embeddedAgentNativeId`). */
function embeddedAgentOf(wire: Pick<VoiceOsConversation, 'agent' | 'id'>): Agent | null {
  return wire.agent ? mapAgentConfig(wire.agent, { nativeId: embeddedAgentNativeId(wire.id), name: null, createdAt: null }) : null;
}

/**
 * A conversation field by field (`kit/recordFields.ts`): a listed record validates and maps only
 * the fields a query reads; `mapConversation` maps them all.
 */
export const voiceOsConversationFields = recordFields<VoiceOsConversation, Conversation>(voiceOsConversationSchema, {
  kind: field([], () => 'Conversation' as const),
  provider: field([], () => PROVIDER),
  nativeId: field(['id'], (wire) => wire.id),
  channel: field(['type'], (wire) => mapChannel(wire.type)),
  status: field(['status'], (wire) => mapConversationStatus(wire.status)),
  createdAt: field(['created_at'], (wire) => parseProviderInstant(wire.created_at)!), // the wire schema refused any other
  startedAt: field(['start_time'], (wire) => parseProviderInstant(wire.start_time)),
  endedAt: field(['end_time'], (wire) => parseProviderInstant(wire.end_time)),
  // Null when the end is before the start: no duration, rather than a made-up 0.
  durationSeconds: startAndEnd(({ start, end }) => secondsBetween(start, end)),
  // start_time is "the start time of the conversation": start..end is talk time. VoiceOS
  // reports no ringing (created_at..start_time also holds queueing, so it is not derived).
  talkSeconds: startAndEnd(({ start, end }) => secondsBetween(start, end)),
  ringSeconds: field([], () => null),
  endReason: field(['end_reason'], (wire) => mapEndReason(wire.end_reason)),
  fromNumber: field(['phone_call'], (wire) => toPhoneNumber(wire.phone_call?.from_number)),
  toNumber: field(['phone_call'], (wire) => toPhoneNumber(wire.phone_call?.to_number)),
  sipTrunkAddress: field([], () => null),
  // The saved agent when there is one (it has a name); else the configuration set up inline.
  // `agent_id` is null exactly when the conversation "did not use an existing agent" (the
  // document), i.e. ran the configuration it embeds: the reference says so without reading (and
  // validating) that configuration, which a saved agent's conversation never needs.
  agentRef: field(['agent_id', 'id'], (wire): EntityRef =>
    wire.agent_id
      ? { provider: PROVIDER, nativeId: wire.agent_id }
      : { provider: PROVIDER, nativeId: embeddedAgentNativeId(wire.id), embedded: true },
  ),
  embeddedAgent: field(['agent', 'id'], embeddedAgentOf),
  prospectRef: field([], () => null),
  transcript: field([], () => null),
  summary: field([], () => null),
  recording: field([], () => null),
  analytics: field([], () => null),
  postCall: field([], () => null),
  dynamicVariables: field([], () => null),
  gatewayRequestId: field([], () => null),
  adminComments: field([], () => []),
  cost: field(['cost'], (wire) => mapCost(wire.cost)),
  uri: field(['uri'], (wire) => wire.uri ?? null),
  // --- provider field coverage (issue 8 part 4) ---
  updatedAt: field([], () => null),
  providerAccountId: field(['account_id'], (wire) => wire.account_id ?? null),
  oration: field([], () => null),
  trata: field([], () => null),
  voiceos: field(['phone_call'], (wire) =>
    wire.phone_call
      ? { phoneCallDirection: wire.phone_call.direction ?? null, providerCallId: wire.phone_call.provider_call_id ?? null }
      : null,
  ),
});

/** Where a listed record's position is (`kit/deferredRecords.ts`): `voiceOsConversationSchema`'s check of `created_at`, by hand. */
export const VOICEOS_CONVERSATION_POSITION: RecordPosition = { idKey: 'id', createdAt: { key: 'created_at', parse: parseProviderInstant } };

export function mapConversation(wire: VoiceOsConversation): Conversation {
  return voiceOsConversationFields.map(wire);
}

const configField = fieldOf<VoiceOsAgentConfig>();

/**
 * What the document says an agent configuration that leaves a setting out runs with: "The default
 * value is 10 min" (`max_duration`; its null means any duration), max tokens "Default is 300", the
 * model's temperature "Default is 0". Reported as those values, not as unknown.
 */
const VOICEOS_DEFAULTS = { maxDurationSeconds: 600, llmMaxTokens: 300, llmTemperature: 0 } as const;

/** The agent fields a configuration gives, saved or embedded in a conversation. */
type ConfigFields = Omit<Agent, 'kind' | 'provider' | 'nativeId' | 'name' | 'createdAt'>;

const agentConfigFields: FieldTable<VoiceOsAgentConfig, ConfigFields> = {
  prompt: configField(['prompt'], (config) => config.prompt ?? null),
  initialMessage: configField(['initial_message'], (config) => config.initial_message ?? null),
  maxDurationSeconds: configField(['max_duration'], (config) =>
    config.max_duration === undefined ? VOICEOS_DEFAULTS.maxDurationSeconds : config.max_duration,
  ),
  llm: configField(['llm'], ({ llm }) =>
    llm
      ? {
          provider: llm.provider ?? null,
          model: llm.model ?? null,
          temperature: llm.temperature ?? VOICEOS_DEFAULTS.llmTemperature,
          maxTokens: llm.max_tokens ?? VOICEOS_DEFAULTS.llmMaxTokens,
          credentialId: llm.credential_id ?? null,
        }
      : null,
  ),
  transcriber: configField(['transcriber'], ({ transcriber }) =>
    transcriber
      ? {
          provider: transcriber.provider ?? null,
          model: transcriber.model ?? null,
          language: transcriber.language ?? null,
          keywords: transcriber.keywords ?? [],
          credentialId: transcriber.credential_id ?? null,
        }
      : null,
  ),
  voice: configField(['voice'], ({ voice }) =>
    voice
      ? {
          provider: voice.provider ?? null,
          voice: voice.voice ?? voice.voice_id ?? voice.model ?? null,
          speed: voice.speed ?? null,
          emotion: voice.emotion ?? null,
          temperature: voice.temperature ?? null,
          textGuidance: voice.text_guidance ?? null,
          credentialId: voice.credential_id ?? null,
        }
      : null,
  ),
  webhooks: configField(['webhooks'], (config) =>
    (config.webhooks ?? []).flatMap((webhook): Webhook[] =>
      webhook.url ? [{ method: webhook.method ?? null, url: webhook.url, events: webhook.events ?? [] }] : [],
    ),
  ),
  hookEvents: configField(['hooks'], (config) => [...new Set((config.hooks ?? []).flatMap((hook) => hook.events ?? []))]),
  metadata: configField(['metadata'], (config) => config.metadata ?? null),
  // --- provider field coverage (issue 8 part 4) ---
  // VoiceOS agents carry no update time or account (the account is on each conversation).
  updatedAt: configField([], () => null),
  providerAccountId: configField([], () => null),
  maxDurationUnlimited: configField(['max_duration'], mapMaxDurationUnlimited),
  hooks: configField(['hooks'], (config) => (config.hooks ?? []).map((hook) => ({ type: hook.type ?? null, events: hook.events ?? [] }))),
  trata: configField([], () => null),
};

/** The configuration's fields as a list, built once: every conversation with an embedded agent walks it. */
const AGENT_CONFIG_ENTRIES = Object.entries(agentConfigFields);

const agentField = fieldOf<VoiceOsAgent>();

/** A saved agent (`GET /v1/agents`) field by field (`kit/recordFields.ts`): batch gets read only what a query asks of it. */
export const voiceOsAgentFields = recordFields<VoiceOsAgent, Agent>(voiceOsAgentSchema, {
  kind: agentField([], () => 'Agent' as const),
  provider: agentField([], () => PROVIDER),
  nativeId: agentField(['id'], (wire) => wire.id),
  name: agentField(['name'], (wire) => wire.name ?? null),
  createdAt: agentField(['created_at'], (wire) => parseProviderInstant(wire.created_at)),
  ...agentConfigFields,
});

/** A saved agent from `GET /v1/agents`. */
export function mapAgent(wire: VoiceOsAgent): Agent {
  return voiceOsAgentFields.map(wire);
}

function mapAgentConfig(
  config: VoiceOsAgentConfig,
  identity: { nativeId: string; name: string | null; createdAt: Date | null },
): Agent {
  const agent: Record<string, unknown> = { kind: 'Agent', provider: PROVIDER, ...identity };
  for (const [key, mapping] of AGENT_CONFIG_ENTRIES) agent[key] = mapping.map(config);
  return agent as unknown as Agent;
}

/**
 * The document: "If null, the conversation can be of any duration." An explicit null is that; a
 * number is a limit, and so is a configuration without the field ("The default value is 10 min").
 */
function mapMaxDurationUnlimited(config: Pick<VoiceOsAgentConfig, 'max_duration'>): boolean {
  return config.max_duration === null;
}

/**
 * The cost breakdown, one component per part of the stack. A missing breakdown (a queued
 * conversation) stays null: no cost reported is not a cost of zero.
 */
export function mapCost(wire: VoiceOsCost | null | undefined): Cost | null {
  if (wire === null || wire === undefined) return null;
  let components: CostComponent[] | undefined;
  // VoiceOS documents every amount as USD. The components are built when read, once: a page that
  // shows the total does not pay for five exact amounts and their quantities per conversation.
  return {
    currency: 'USD',
    total: toDecimal(wire.total),
    get components() {
      return (components ??= mapCostComponents(wire));
    },
  };
}

function mapCostComponents(wire: VoiceOsCost): CostComponent[] {
  const components: CostComponent[] = [];
  const { agent, llm, transcriber, voice, telephony } = wire;
  if (agent) components.push(component('AGENT', agent, [['SECONDS', agent.seconds]]));
  if (llm) {
    components.push(
      component('LLM', llm, [
        ['INPUT_TOKENS', llm.input_tokens],
        ['OUTPUT_TOKENS', llm.output_tokens],
      ]),
    );
  }
  if (transcriber) components.push(component('TRANSCRIBER', transcriber, [['SECONDS', transcriber.seconds]]));
  if (voice) components.push(component('VOICE', voice, [['CHARACTERS', voice.characters]]));
  if (telephony) components.push(component('TELEPHONY', telephony, [['SECONDS', telephony.seconds]]));
  return components;
}

function component(
  kind: CostComponent['kind'],
  part: { cost?: number | string | null; provider?: string | null },
  quantities: [CostComponent['quantities'][number]['unit'], number | null | undefined][],
): CostComponent {
  return {
    kind,
    provider: part.provider ?? null,
    amount: toDecimal(part.cost),
    quantities: quantities.flatMap(([unit, amount]) => (amount === null || amount === undefined ? [] : [{ unit, amount }])),
  };
}

/** The amount exactly as VoiceOS wrote it, a JSON number (see `Decimal.fromJsonNumber`) or a decimal string. */
function toDecimal(value: number | string | null | undefined): Decimal | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? Decimal.fromJsonNumber(value) : Decimal.parse(value); // the wire schema refused any other string
}

