import { parseProviderInstant, secondsBetween } from '../../domain/preciseDate.ts';
import { toPhoneNumber } from '../../domain/phone.ts';
import type {
  Agent,
  Conversation,
  ConversationChannel,
  ConversationStatus,
  EndReason,
  Normalized,
  PostCall,
  RecordingStatus,
} from '../../domain/types.ts';
import { REQUEST_ID_VARIABLE } from '../connector.ts';
import { fieldOf, recordFields, sharedReadingOf, type RecordPosition } from '../kit/recordFields.ts';
import { parseJsonKeepingDigits } from '../kit/boundedJson.ts';
import { orationAgentSchema, orationConversationSchema, type OrationAgentWire, type OrationConversationWire } from './wire.ts';

/**
 * Pure mapping from Oration's wire shapes to the domain. No I/O, no clock: the same wire object
 * always gives the same domain object. Placeholders such as `"<string>"` are data and are kept.
 */

const STATUSES: Record<string, ConversationStatus> = {
  queued: 'QUEUED',
  dialing: 'DIALING',
  active: 'IN_PROGRESS',
  ended: 'ENDED',
  failed: 'FAILED',
};

const END_REASONS: Record<string, EndReason> = {
  user_did_not_answer: 'CUSTOMER_DID_NOT_ANSWER',
  agent_ended: 'AGENT_ENDED',
  user_ended: 'CUSTOMER_ENDED',
  max_duration_reached: 'MAX_DURATION_REACHED',
  error: 'ERROR',
};

const RECORDING_STATUSES: Record<string, RecordingStatus> = {
  in_progress: 'IN_PROGRESS',
  completed: 'AVAILABLE',
  failed: 'FAILED',
};

/** The domain status each wire status stands for; the connector reads it backwards to push filters down. */
export const ORATION_STATUS_BY_WIRE: Readonly<Record<string, ConversationStatus>> = STATUSES;

const field = fieldOf<OrationConversationWire>();
const shared = sharedReadingOf<OrationConversationWire>();
/** Talk and ring times come from one reading of the four times (see `orationTalkAndRing`). */
const talkAndRing = shared(['callStartTime', 'callEndTime', 'userJoinTime', 'userLeaveTime'], orationTalkAndRing);
/** `dynamicVariables` is decoded once for the two fields it gives. */
const taggedVariables = shared(['dynamicVariables'], (wire) => splitGatewayTag(parseDynamicVariables(wire.dynamicVariables)));

/**
 * A conversation field by field (`kit/recordFields.ts`): a listed record validates and maps only
 * the fields a query reads; `mapOrationConversation` maps them all.
 */
export const orationConversationFields = recordFields<OrationConversationWire, Conversation>(orationConversationSchema, {
  kind: field([], () => 'Conversation' as const),
  provider: field([], () => 'ORATION' as const),
  nativeId: field(['id'], (wire) => wire.id),
  channel: field(['conversationType', 'telephonyType'], (wire) => mapChannel(wire.conversationType, wire.telephonyType)),
  status: field(['conversationStatus'], (wire) => normalize(wire.conversationStatus, STATUSES) ?? { value: 'UNKNOWN', raw: null }),
  createdAt: field(['createdAt'], (wire) => parseProviderInstant(wire.createdAt)!), // the wire schema refused any other
  startedAt: field(['callStartTime'], (wire) => parseProviderInstant(wire.callStartTime)),
  endedAt: field(['callEndTime'], (wire) => parseProviderInstant(wire.callEndTime)),
  // callStartTime..callEndTime: dialing and ringing included.
  // Null, like talk and ring time, when the end is before the start: no duration, rather than a made-up 0.
  durationSeconds: field(['callStartTime', 'callEndTime'], (wire) => secondsBetween(parseProviderInstant(wire.callStartTime), parseProviderInstant(wire.callEndTime))),
  talkSeconds: talkAndRing((times) => times.talkSeconds),
  ringSeconds: talkAndRing((times) => times.ringSeconds),
  endReason: field(['endReason'], (wire) => normalize(wire.endReason, END_REASONS)),
  fromNumber: field(['fromPhoneNumber'], (wire) => toPhoneNumber(wire.fromPhoneNumber)),
  toNumber: field(['toPhoneNumber'], (wire) => toPhoneNumber(wire.toPhoneNumber)),
  sipTrunkAddress: field(['sipTrunkAddress'], (wire) => wire.sipTrunkAddress ?? null),
  agentRef: field(['agentId'], (wire) => (wire.agentId ? { provider: 'ORATION' as const, nativeId: wire.agentId } : null)),
  embeddedAgent: field([], () => null),
  prospectRef: field([], () => null),
  // Oration documents neither a transcript nor a cost: unknown, never empty or zero.
  transcript: field([], () => null),
  summary: field(['summary'], (wire) => wire.summary ?? null),
  recording: field(['recordingStatus'], (wire) =>
    wire.recordingStatus ? { url: null, status: normalize(wire.recordingStatus, RECORDING_STATUSES) } : null,
  ),
  analytics: field([], () => null),
  postCall: field(['postCallCategory1', 'postCallCategory2', 'postCallCategory3', 'postCallNotes', 'postCallMetadata'], mapPostCall),
  dynamicVariables: taggedVariables((split) => split.dynamicVariables),
  gatewayRequestId: taggedVariables((split) => split.gatewayRequestId),
  adminComments: field([], () => []),
  cost: field([], () => null),
  uri: field(['wsUrl'], (wire) => wire.wsUrl ?? null),
  // --- provider field coverage (issue 8 part 4) ---
  updatedAt: field(['updatedAt'], (wire) => parseProviderInstant(wire.updatedAt)),
  providerAccountId: field(['workspaceId'], (wire) => wire.workspaceId ?? null),
  oration: field(['customerId', 'phoneId', 'llmUrl', 'telephonyType', 'telephonyStatus', 'userJoinTime', 'userLeaveTime'], (wire) => ({
    customerId: wire.customerId ?? null,
    phoneId: wire.phoneId ?? null,
    llmUrl: wire.llmUrl ?? null,
    telephonyType: wire.telephonyType ?? null,
    telephonyStatus: wire.telephonyStatus ?? null,
    userJoinTime: parseProviderInstant(wire.userJoinTime),
    userLeaveTime: parseProviderInstant(wire.userLeaveTime),
  })),
  trata: field([], () => null),
  voiceos: field([], () => null),
});

/** Where a listed record's position is (`kit/deferredRecords.ts`): `orationConversationSchema`'s check of `createdAt`, by hand. */
export const ORATION_CONVERSATION_POSITION: RecordPosition = { idKey: 'id', createdAt: { key: 'createdAt', parse: parseProviderInstant } };

export function mapOrationConversation(wire: OrationConversationWire): Conversation {
  return orationConversationFields.map(wire);
}

const agentField = fieldOf<OrationAgentWire>();

/** An agent field by field (`kit/recordFields.ts`): batch gets read only what a query asks of it. */
export const orationAgentFields = recordFields<OrationAgentWire, Agent>(orationAgentSchema, {
  kind: agentField([], () => 'Agent' as const),
  provider: agentField([], () => 'ORATION' as const),
  nativeId: agentField(['id'], (wire) => wire.id),
  name: agentField(['name'], (wire) => wire.name ?? null),
  prompt: agentField(['prompt'], (wire) => wire.prompt ?? null),
  initialMessage: agentField(['initialMessage'], (wire) => wire.initialMessage ?? null),
  maxDurationSeconds: agentField(['maxDurationSeconds'], (wire) => wire.maxDurationSeconds ?? null),
  llm: agentField(['llmModel'], (wire) =>
    wire.llmModel ? { provider: null, model: wire.llmModel, temperature: null, maxTokens: null, credentialId: null } : null,
  ),
  transcriber: agentField(['language'], (wire) =>
    wire.language ? { provider: null, model: null, language: wire.language, keywords: [], credentialId: null } : null,
  ),
  voice: agentField(['voiceId'], (wire) =>
    wire.voiceId
      ? { provider: null, voice: wire.voiceId, speed: null, emotion: null, temperature: null, textGuidance: null, credentialId: null }
      : null,
  ),
  webhooks: agentField([], () => []),
  hookEvents: agentField([], () => []),
  metadata: agentField([], () => null),
  createdAt: agentField(['createdAt'], (wire) => parseProviderInstant(wire.createdAt)),
  // --- provider field coverage (issue 8 part 4) ---
  updatedAt: agentField(['updatedAt'], (wire) => parseProviderInstant(wire.updatedAt)),
  providerAccountId: agentField(['workspaceId'], (wire) => wire.workspaceId ?? null),
  // Oration's agent shape is assumed and says nothing of an unlimited duration.
  maxDurationUnlimited: agentField(['maxDurationSeconds'], (wire) =>
    wire.maxDurationSeconds === null || wire.maxDurationSeconds === undefined ? null : false,
  ),
  hooks: agentField([], () => []),
  trata: agentField([], () => null),
});

export function mapOrationAgent(wire: OrationAgentWire): Agent {
  return orationAgentFields.map(wire);
}

/**
 * Oration splits the channel over two fields. The raw value keeps both (`telephony:outbound`).
 * A telephony conversation whose direction is missing or unknown is still a phone call: PHONE.
 */
export function mapChannel(
  conversationType: string | null | undefined,
  telephonyType: string | null | undefined,
): Normalized<ConversationChannel> {
  if (!conversationType) return { value: 'UNKNOWN', raw: null };
  if (conversationType === 'chat') return { value: 'CHAT', raw: conversationType };
  if (conversationType !== 'telephony') return { value: 'UNKNOWN', raw: conversationType };
  if (!telephonyType) return { value: 'PHONE', raw: conversationType };
  const raw = `${conversationType}:${telephonyType}`;
  if (telephonyType === 'inbound') return { value: 'PHONE_INBOUND', raw };
  if (telephonyType === 'outbound') return { value: 'PHONE_OUTBOUND', raw };
  return { value: 'PHONE', raw };
}

/**
 * The response carries `dynamicVariables` as a JSON-encoded string. A string that decodes to an
 * object gives that object; any other string (the document's `"<string>"`, a scalar, broken JSON)
 * is kept whole as `{ value: <the string> }` so nothing the provider sent is lost; a number a double
 * cannot hold exactly comes back as the string of its digits (`parseJsonKeepingDigits`). An object (the
 * request's shape, should a response ever use it) is taken as is; empty or absent gives null.
 */
export function parseDynamicVariables(
  value: string | Record<string, unknown> | null | undefined,
): Record<string, unknown> | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') return value;
  try {
    const decoded = parseJsonKeepingDigits(value);
    if (typeof decoded === 'object' && decoded !== null && !Array.isArray(decoded)) {
      return decoded as Record<string, unknown>;
    }
  } catch {
    // not JSON: fall through and keep the text
  }
  return { value };
}

/**
 * The gateway's reconciliation tag comes back inside `dynamicVariables`; the graph shows the
 * variables the conversation was started with, and the tag as the link to its batch item.
 */
export function splitGatewayTag(
  variables: Record<string, unknown> | null,
): { dynamicVariables: Record<string, unknown> | null; gatewayRequestId: string | null } {
  if (variables === null || !Object.hasOwn(variables, REQUEST_ID_VARIABLE)) return { dynamicVariables: variables, gatewayRequestId: null };
  const { [REQUEST_ID_VARIABLE]: tag, ...rest } = variables;
  if (typeof tag !== 'string') return { dynamicVariables: variables, gatewayRequestId: null };
  return { dynamicVariables: rest, gatewayRequestId: tag };
}

/**
 * Oration's `callStartTime..callEndTime` spans dialing and ringing; the customer was on the line
 * from `userJoinTime` to `userLeaveTime`. A call that ended without `userJoinTime` was never
 * answered: no talk, and all of it was ringing.
 */
function orationTalkAndRing(
  wire: Pick<OrationConversationWire, 'callStartTime' | 'callEndTime' | 'userJoinTime' | 'userLeaveTime'>,
): { talkSeconds: number | null; ringSeconds: number | null } {
  const start = parseProviderInstant(wire.callStartTime);
  const end = parseProviderInstant(wire.callEndTime);
  const join = parseProviderInstant(wire.userJoinTime);
  const leave = parseProviderInstant(wire.userLeaveTime) ?? (join && end);
  if (join === null) {
    const unanswered = secondsBetween(start, end);
    return { talkSeconds: unanswered === null ? null : 0, ringSeconds: unanswered };
  }
  return { talkSeconds: secondsBetween(join, leave), ringSeconds: secondsBetween(start, join) };
}

function mapPostCall(
  wire: Pick<OrationConversationWire, 'postCallCategory1' | 'postCallCategory2' | 'postCallCategory3' | 'postCallNotes' | 'postCallMetadata'>,
): PostCall | null {
  // The slot a category sits in is data (a team may use slot 2 for "outcome"), so positions are kept.
  const categoriesByPosition = [wire.postCallCategory1, wire.postCallCategory2, wire.postCallCategory3].map((category) =>
    typeof category === 'string' && category !== '' ? category : null,
  );
  const categories = categoriesByPosition.filter((category): category is string => category !== null);
  const notes = wire.postCallNotes ?? null;
  const metadata = wire.postCallMetadata ?? null;
  if (notes === null && categories.length === 0 && metadata === null) return null;
  return { notes, categories, metadata, categoriesByPosition };
}

function normalize<T extends string>(
  raw: string | null | undefined,
  known: Record<string, T>,
): Normalized<T | 'UNKNOWN'> | null {
  if (raw === null || raw === undefined || raw === '') return null;
  return { value: Object.hasOwn(known, raw) ? (known[raw] as T) : 'UNKNOWN', raw };
}

