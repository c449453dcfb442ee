import { toPhoneNumber } from '../../domain/phone.ts';
import type {
  Agent,
  ConversationAnalytics,
  Conversation,
  ConversationChannel,
  ConversationStatus,
  EntityRef,
  Normalized,
  Prospect,
  Recording,
  Sentiment,
} from '../../domain/types.ts';
import { parseTrataTimestamp } from './timestamps.ts';
import { secondsBetween } from '../../domain/preciseDate.ts';
import { mapTrataTranscript } from './transcript.ts';
import { fieldOf, recordFields, sharedReadingOf, type RecordPosition } from '../kit/recordFields.ts';
import { trataAgentSchema, trataConversationSchema, trataProspectSchema, type TrataAgent, type TrataAnalytics, type TrataConversation, type TrataProspect } from './wire.ts';

/**
 * Pure mapping from Trata's wire records to the domain model. No I/O; every assumption about
 * values the document does not list is written down in this folder's README.
 */

/** Trata `sourceType` -> domain channel. Only BROWSER is documented; the rest are assumed. */
const CHANNEL_BY_SOURCE_TYPE: Readonly<Record<string, ConversationChannel>> = {
  BROWSER: 'WEB',
  PHONE: 'PHONE_INBOUND',
  PHONE_OUTBOUND: 'PHONE_OUTBOUND',
  CHAT: 'CHAT',
};

const SENTIMENTS: Readonly<Record<string, Sentiment>> = {
  POSITIVE: 'POSITIVE',
  NEGATIVE: 'NEGATIVE',
  NEUTRAL: 'NEUTRAL',
  MIXED: 'MIXED',
};

const field = fieldOf<TrataConversation>();
/**
 * timestampStart..timestampEnd is the conversation itself (the sample's first message follows its
 * start by 0.3 s): its duration and its talk time, parsed and subtracted once per record. Trata
 * reports no ringing.
 */
const span = sharedReadingOf<TrataConversation>()(['timestampStart', 'timestampEnd'], (record) =>
  secondsBetween(parseTrataTimestamp(record.timestampStart), parseTrataTimestamp(record.timestampEnd)),
);

/**
 * A conversation field by field (`kit/recordFields.ts`): a listed record validates and maps only
 * the fields a query reads; `mapTrataConversation` maps them all.
 */
export const trataConversationFields = recordFields<TrataConversation, Conversation>(trataConversationSchema, {
  kind: field([], () => 'Conversation' as const),
  provider: field([], () => 'TRATA' as const),
  nativeId: field(['id'], (record) => record.id),
  channel: field(['sourceType'], (record) => mapTrataSourceType(record.sourceType)),
  status: field(['status', 'timestampEnd'], (record) => mapTrataRecordStatus(record.status, parseTrataTimestamp(record.timestampEnd) !== null)),
  createdAt: field(['createdAt'], (record) => {
    const createdAt = parseTrataTimestamp(record.createdAt);
    // The wire schema refuses a record without a readable createdAt, so this cannot happen.
    if (createdAt === null) throw new TypeError(`Trata sent a createdAt its wire schema accepted but no time reads: ${record.createdAt}`);
    return createdAt;
  }),
  startedAt: field(['timestampStart'], (record) => parseTrataTimestamp(record.timestampStart)),
  endedAt: field(['timestampEnd'], (record) => parseTrataTimestamp(record.timestampEnd)),
  durationSeconds: span((seconds) => seconds),
  talkSeconds: span((seconds) => seconds),
  ringSeconds: field([], () => null),
  endReason: field([], () => null),
  // `source` is an IP address or device label, not a phone line; the caller's number is in analytics.
  fromNumber: field([], () => null),
  toNumber: field([], () => null),
  sipTrunkAddress: field([], () => null),
  agentRef: field(['aiAgentId', 'agentId'], (record) => ref(record.aiAgentId ?? record.agentId ?? null)),
  embeddedAgent: field([], () => null),
  prospectRef: field(['prospectId'], (record) => ref(record.prospectId)),
  transcript: field(['transcriptText'], (record) => mapTrataTranscript(record.transcriptText)),
  summary: field(['transcriptSummary'], (record) => record.transcriptSummary ?? null),
  recording: field(['transcriptRecordingUrl'], (record) => mapRecording(record.transcriptRecordingUrl)),
  analytics: field(['conversationAnalytics'], (record) => (record.conversationAnalytics ? mapAnalytics(record.conversationAnalytics) : null)),
  postCall: field([], () => null),
  dynamicVariables: field([], () => null),
  gatewayRequestId: field([], () => null),
  adminComments: field(['adminComments'], (record) =>
    (record.adminComments ?? []).map((c) => ({ comment: c.comment ?? null, rating: c.rating ?? null })),
  ),
  // Trata reports no cost at all: null, never a made-up zero.
  cost: field([], () => null),
  uri: field([], () => null),
  // --- provider field coverage (issue 8 part 4) ---
  updatedAt: field(['updatedAt'], (record) => parseTrataTimestamp(record.updatedAt)),
  providerAccountId: field(['orgId'], (record) => record.orgId ?? null),
  oration: field([], () => null),
  trata: field(['source', 'createdBy', 'updatedBy'], (record) => ({
    source: record.source ?? null,
    createdBy: record.createdBy ?? null,
    updatedBy: record.updatedBy ?? null,
  })),
  voiceos: field([], () => null),
});

/** Where a listed record's position is (`kit/deferredRecords.ts`): `trataConversationSchema`'s check of `createdAt`, by hand. */
export const TRATA_CONVERSATION_POSITION: RecordPosition = { idKey: 'id', createdAt: { key: 'createdAt', parse: parseTrataTimestamp } };

export function mapTrataConversation(record: TrataConversation): Conversation {
  return trataConversationFields.map(record);
}

const agentField = fieldOf<TrataAgent>();

/** An agent field by field (`kit/recordFields.ts`): batch gets read only what a query asks of it. */
export const trataAgentFields = recordFields<TrataAgent, Agent>(trataAgentSchema, {
  kind: agentField([], () => 'Agent' as const),
  provider: agentField([], () => 'TRATA' as const),
  nativeId: agentField(['id'], (record) => record.id),
  name: agentField(['name'], (record) => record.name ?? null),
  prompt: agentField(['prompt'], (record) => record.prompt ?? null),
  initialMessage: agentField(['initialMessage'], (record) => record.initialMessage ?? null),
  maxDurationSeconds: agentField([], () => null),
  llm: agentField([], () => null),
  // The agent's language is the language it transcribes and speaks, as for Oration.
  transcriber: agentField(['language'], (record) =>
    record.language ? { provider: null, model: null, language: record.language, keywords: [], credentialId: null } : null,
  ),
  voice: agentField(['voiceModelId'], (record) =>
    record.voiceModelId
      ? { provider: null, voice: record.voiceModelId, speed: null, emotion: null, temperature: null, textGuidance: null, credentialId: null }
      : null,
  ),
  webhooks: agentField([], () => []),
  hookEvents: agentField([], () => []),
  // Trata has no agent metadata of its own; its other fields have their own places below.
  metadata: agentField([], () => null),
  createdAt: agentField(['createdAt'], (record) => parseTrataTimestamp(record.createdAt)),
  // --- provider field coverage (issue 8 part 4) ---
  updatedAt: agentField(['updatedAt'], (record) => parseTrataTimestamp(record.updatedAt)),
  providerAccountId: agentField(['orgId'], (record) => record.orgId ?? null),
  maxDurationUnlimited: agentField([], () => null),
  hooks: agentField([], () => []),
  trata: agentField(['description', 'status'], (record) => ({ description: record.description ?? null, status: record.status ?? null })),
});

export function mapTrataAgent(record: TrataAgent): Agent {
  return trataAgentFields.map(record);
}

const prospectField = fieldOf<TrataProspect>();

/** A prospect field by field (`kit/recordFields.ts`): batch gets read only what a query asks of it. */
export const trataProspectFields = recordFields<TrataProspect, Prospect>(trataProspectSchema, {
  kind: prospectField([], () => 'Prospect' as const),
  provider: prospectField([], () => 'TRATA' as const),
  nativeId: prospectField(['id'], (record) => record.id),
  name: prospectField(['name'], (record) => record.name ?? null),
  phone: prospectField(['phoneNumber'], (record) => toPhoneNumber(record.phoneNumber)),
  email: prospectField(['email'], (record) => record.email ?? null),
  address: prospectField(['address'], (record) => record.address ?? null),
  status: prospectField(['prospectStatus'], (record) => record.prospectStatus ?? null),
  createdAt: prospectField(['createdAt'], (record) => parseTrataTimestamp(record.createdAt)),
  // --- provider field coverage (issue 8 part 4) ---
  updatedAt: prospectField(['updatedAt'], (record) => parseTrataTimestamp(record.updatedAt)),
  providerAccountId: prospectField(['orgId'], (record) => record.orgId ?? null),
});

export function mapTrataProspect(record: TrataProspect): Prospect {
  return trataProspectFields.map(record);
}

export function mapTrataSourceType(raw: string | null | undefined): Normalized<ConversationChannel> {
  const channel = raw ? CHANNEL_BY_SOURCE_TYPE[raw.trim().toUpperCase()] : undefined;
  return { value: channel ?? 'UNKNOWN', raw: raw ?? null };
}

/** The `sourceType` to send for a domain channel, or null when no Trata value means exactly it. */
export function trataSourceTypeFor(channel: ConversationChannel): string | null {
  for (const [sourceType, mapped] of Object.entries(CHANNEL_BY_SOURCE_TYPE)) {
    if (mapped === channel) return sourceType;
  }
  return null;
}

/**
 * Trata's `status` is the record's state (`active`), not the call's. An active record is ENDED
 * when it has an end time and IN_PROGRESS before; any other record state (`deleted`, `archived`,
 * …) says nothing reliable about the call, so it is UNKNOWN with the raw value kept.
 */
export function mapTrataRecordStatus(raw: string | null | undefined, hasEnded: boolean): Normalized<ConversationStatus> {
  if (raw?.trim().toLowerCase() === 'active') return { value: hasEnded ? 'ENDED' : 'IN_PROGRESS', raw };
  return { value: 'UNKNOWN', raw: raw ?? null };
}

export function mapTrataSentiment(raw: string | null | undefined): Normalized<Sentiment> | null {
  if (raw === null || raw === undefined) return null;
  return { value: SENTIMENTS[raw.trim().toUpperCase()] ?? 'UNKNOWN', raw };
}

function mapAnalytics(analytics: TrataAnalytics): ConversationAnalytics {
  return {
    summary: analytics.summary ?? null,
    sentiment: mapTrataSentiment(analytics.sentiment_of_caller),
    actionItems: analytics.action_items ?? [],
    callerName: analytics.name_of_caller ?? null,
    callerPhone: toPhoneNumber(analytics.phone_number_of_caller),
    callerEmail: analytics.email_address_of_caller ?? null,
    callerAddress: analytics.address_of_caller ?? null,
    audioConsentGiven: analytics.is_audio_consent_given ?? null,
    prospectStatus: analytics.prospectStatus ?? null,
  };
}

function mapRecording(url: string | null | undefined): Recording | null {
  if (!url) return null;
  // Trata stores the recording URL once the file exists; it reports no recording state of its own.
  return { url, status: { value: 'AVAILABLE', raw: null } };
}

function ref(nativeId: string | null | undefined): EntityRef | null {
  return nativeId ? { provider: 'TRATA', nativeId } : null;
}
