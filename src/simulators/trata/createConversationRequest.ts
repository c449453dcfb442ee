import { z } from 'zod';
import { parseTimestampMicros } from './naiveTimestamp.ts';

/**
 * The body of `POST /v1/conversations` as the document's request sample shows it. The document
 * does not say which fields are required; the simulator requires `agentId` (the record must
 * belong to an agent) and `sourceType`, and takes the rest as optional.
 */
const timestamp = z.string().refine((value) => parseTimestampMicros(value) !== null, { message: 'invalid datetime' });

export const createConversationRequestSchema = z.object({
  source: z.string().nullish(),
  sourceType: z.string().min(1),
  agentId: z.string().min(1),
  /** A URL to the transcript. */
  transcriptText: z.string().nullish(),
  transcriptSummary: z.string().nullish(),
  transcriptRecordingUrl: z.string().nullish(),
  timestampStart: timestamp.nullish(),
  timestampEnd: timestamp.nullish(),
  conversationAnalytics: z
    .object({
      summary: z.string().nullish(),
      action_items: z.array(z.string()).nullish(),
      is_audio_consent_given: z.boolean().nullish(),
      email_address_of_caller: z.string().nullish(),
      name_of_caller: z.string().nullish(),
      phone_number_of_caller: z.string().nullish(),
      address_of_caller: z.string().nullish(),
      sentiment_of_caller: z.string().nullish(),
      prospectStatus: z.string().nullish(),
    })
    .nullish(),
  adminComments: z.array(z.object({ comment: z.string(), rating: z.number() })).nullish(),
});

export type CreateConversationRequest = z.infer<typeof createConversationRequestSchema>;
