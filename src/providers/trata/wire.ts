import { z } from 'zod';
import { isProviderInstant } from '../../domain/preciseDate.ts';
import { timestampText } from '../kit/timestampText.ts';
import { wholeNumber } from '../kit/wireIntegers.ts';

/**
 * Trata's wire shapes, read tolerantly: every field the gateway can live without is optional and
 * nullable, enumerations are plain strings (mapped in `map.ts`), and unknown fields are dropped.
 * Only what the gateway cannot work without is required: a record's `id` (assumed, see README)
 * and its `createdAt` (the list order and the keyset cursor).
 */

const optionalText = z.string().nullish();
/** A time that is present is a time: text that is not one breaks the contract (`timestampText`). */
const requiredTimestamp = timestampText(isProviderInstant);
const optionalTimestamp = requiredTimestamp.nullish();

/** One transcript message. A USER message's `message_id` is its own text (see the document). */
export const trataMessageSchema = z.object({
  speaker: optionalText,
  message: optionalText,
  timestamp: optionalTimestamp,
  message_id: optionalText,
});
export type TrataMessage = z.infer<typeof trataMessageSchema>;

/** A URL string in the create request, an array of messages in the response. */
export const trataTranscriptTextSchema = z.union([z.string(), z.array(trataMessageSchema)]);
export type TrataTranscriptText = z.infer<typeof trataTranscriptTextSchema>;

export const trataAnalyticsSchema = z.object({
  summary: optionalText,
  action_items: z.array(z.string()).nullish(),
  is_audio_consent_given: z.boolean().nullish(),
  email_address_of_caller: optionalText,
  name_of_caller: optionalText,
  phone_number_of_caller: optionalText,
  address_of_caller: optionalText,
  sentiment_of_caller: optionalText,
  prospectStatus: optionalText,
});
export type TrataAnalytics = z.infer<typeof trataAnalyticsSchema>;

export const trataAdminCommentSchema = z.object({
  comment: optionalText,
  rating: wholeNumber.nullish(),
});

export const trataConversationSchema = z.object({
  id: z.string().min(1),
  orgId: optionalText,
  prospectId: optionalText,
  source: optionalText,
  sourceType: optionalText,
  aiAgentId: optionalText,
  /** The request's spelling of `aiAgentId`; read too in case a response ever uses it. */
  agentId: optionalText,
  transcriptText: trataTranscriptTextSchema.nullish(),
  transcriptSummary: optionalText,
  transcriptRecordingUrl: optionalText,
  timestampStart: optionalTimestamp,
  timestampEnd: optionalTimestamp,
  conversationAnalytics: trataAnalyticsSchema.nullish(),
  adminComments: z.array(trataAdminCommentSchema).nullish(),
  status: optionalText,
  createdBy: optionalText,
  createdAt: requiredTimestamp,
  updatedBy: optionalText,
  updatedAt: optionalTimestamp,
});
export type TrataConversation = z.infer<typeof trataConversationSchema>;

export const trataAgentSchema = z.object({
  id: z.string().min(1),
  orgId: optionalText,
  name: optionalText,
  description: optionalText,
  prompt: optionalText,
  initialMessage: optionalText,
  voiceModelId: optionalText,
  language: optionalText,
  status: optionalText,
  createdAt: optionalTimestamp,
  updatedAt: optionalTimestamp,
});
export type TrataAgent = z.infer<typeof trataAgentSchema>;

export const trataProspectSchema = z.object({
  id: z.string().min(1),
  orgId: optionalText,
  name: optionalText,
  phoneNumber: optionalText,
  email: optionalText,
  address: optionalText,
  prospectStatus: optionalText,
  createdAt: optionalTimestamp,
  updatedAt: optionalTimestamp,
});
export type TrataProspect = z.infer<typeof trataProspectSchema>;

/** `{ data, total, page, limit }`: the list envelope assumed for every Trata collection. */
export function trataPageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    total: z.number().int().nonnegative(),
    page: z.number().int().nullish(),
    limit: z.number().int().nullish(),
  });
}

export const trataConversationPageSchema = trataPageSchema(trataConversationSchema);
export const trataAgentPageSchema = trataPageSchema(trataAgentSchema);
export const trataProspectPageSchema = trataPageSchema(trataProspectSchema);

/** What the connector reads of any list envelope. */
export interface TrataPage<T> {
  data: T[];
  total: number;
}
