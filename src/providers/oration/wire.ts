import { z } from 'zod';
import { boundedJsonObject, boundedJsonText } from '../kit/boundedJson.ts';
import { isProviderInstant } from '../../domain/preciseDate.ts';
import { timestampText } from '../kit/timestampText.ts';
import { wholeCount } from '../kit/wireIntegers.ts';

/**
 * Oration's wire shapes, read tolerantly: enumerations are plain strings (mapping decides what
 * they mean), every field the document shows as a `"<string>"` placeholder may also be null or
 * absent, and unknown fields are ignored. Only what the gateway cannot work without is required:
 * `id` and a parseable `createdAt` (the list order and keyset cursors rest on it). A time that is
 * present is a time: text that is not one breaks the contract (`timestampText`).
 */

const text = z.string().nullish();
const timestamp = timestampText(isProviderInstant).nullish();
const jsonObject = boundedJsonObject;

export const orationConversationSchema = z.object({
  id: z.string().min(1),
  phoneId: text,
  agentId: text,
  workspaceId: text,
  wsUrl: text,
  llmUrl: text,
  callStartTime: timestamp,
  callEndTime: timestamp,
  userJoinTime: timestamp,
  userLeaveTime: timestamp,
  customerId: text,
  toPhoneNumber: text,
  fromPhoneNumber: text,
  /** Not in the document's response; read in case Oration echoes the request field. */
  sipTrunkAddress: text,
  conversationStatus: text,
  telephonyType: text,
  telephonyStatus: text,
  endReason: text,
  recordingStatus: text,
  postCallNotes: text,
  postCallCategory1: text,
  postCallCategory2: text,
  postCallCategory3: text,
  postCallMetadata: jsonObject.nullish(),
  conversationType: text,
  /** A JSON-encoded object in responses (the request sends an object, so accept one too). */
  dynamicVariables: z.union([boundedJsonText, jsonObject]).nullish(),
  summary: text,
  createdAt: timestampText(isProviderInstant),
  updatedAt: timestamp,
});
export type OrationConversationWire = z.infer<typeof orationConversationSchema>;

/** Assumed shape: the document names agents only by id. */
export const orationAgentSchema = z.object({
  id: z.string().min(1),
  workspaceId: text,
  name: text,
  prompt: text,
  initialMessage: text,
  maxDurationSeconds: wholeCount.nullish(),
  language: text,
  voiceId: text,
  llmModel: text,
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type OrationAgentWire = z.infer<typeof orationAgentSchema>;

/** Assumed page shape of the list endpoints; `total` may be missing (then the count is unknown). */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    results: z.array(item),
    total: z.number().int().nonnegative().nullish(),
    page: z.number().int().nullish(),
    limit: z.number().int().nullish(),
  });
}

export const orationConversationPageSchema = pageSchema(orationConversationSchema);
export type OrationConversationPageWire = z.infer<typeof orationConversationPageSchema>;

export const orationAgentPageSchema = pageSchema(orationAgentSchema);
export type OrationAgentPageWire = z.infer<typeof orationAgentPageSchema>;

/** `POST /conversations`: the created conversations and one `{ error }` per refused item. */
export const orationCreateResponseSchema = z.object({
  results: z.array(orationConversationSchema).nullish(),
  errors: z.array(z.object({ error: text })).nullish(),
});
export type OrationCreateResponseWire = z.infer<typeof orationCreateResponseSchema>;

/** What the gateway sends for one conversation (`POST /conversations` body item). */
export interface OrationCreateItemWire {
  agentId: string;
  conversationType: 'chat' | 'telephony';
  toPhoneNumber?: string;
  sipTrunkAddress?: string;
  dynamicVariables: Record<string, string | number | boolean>;
}
