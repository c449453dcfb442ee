import { z } from 'zod';
import { Decimal } from '../../domain/decimal.ts';
import { boundedJsonObject } from '../kit/boundedJson.ts';
import { isProviderInstant } from '../../domain/preciseDate.ts';
import { timestampText } from '../kit/timestampText.ts';
import { wholeCount } from '../kit/wireIntegers.ts';

/**
 * VoiceOS wire shapes as the connector reads them. The document describes fields without naming
 * them; the names are our assumptions (see README.md). Tolerant reader: enumerations are plain
 * strings (a value no document lists must not break a query), and every field beyond the ones a
 * conversation cannot do without (`id`, `status`, `type`, `created_at`) may be missing or null.
 * Timestamps stay strings here and become `Date`s in `map.ts`.
 */

const timestamp = timestampText(isProviderInstant);
const optionalString = z.string().nullish();
const optionalNumber = z.number().nullish();
const stringList = z.array(z.string()).nullish();

export const voiceOsHookSchema = z.object({
  type: optionalString,
  events: stringList,
});

export const voiceOsLlmConfigSchema = z.object({
  provider: optionalString,
  credential_id: optionalString,
  max_tokens: wholeCount.nullish(),
  model: optionalString,
  temperature: optionalNumber,
});

export const voiceOsTranscriberConfigSchema = z.object({
  provider: optionalString,
  credential_id: optionalString,
  keywords: stringList,
  language: optionalString,
  model: optionalString,
});

/**
 * The document calls the voice "the playht model to use" (susan, william, ...). We read `voice`
 * and, for the other plausible readings of an unnamed field, `voice_id` and `model`.
 */
export const voiceOsVoiceConfigSchema = z.object({
  provider: optionalString,
  credential_id: optionalString,
  voice: optionalString,
  voice_id: optionalString,
  model: optionalString,
  speed: optionalNumber,
  emotion: optionalNumber,
  temperature: optionalNumber,
  text_guidance: optionalNumber,
});

export const voiceOsWebhookSchema = z.object({
  method: optionalString,
  url: optionalString,
  events: stringList,
});

export const voiceOsAgentConfigSchema = z.object({
  hooks: z.array(voiceOsHookSchema).nullish(),
  initial_message: optionalString,
  llm: voiceOsLlmConfigSchema.nullish(),
  max_duration: wholeCount.nullish(),
  metadata: boundedJsonObject.nullish(),
  prompt: optionalString,
  transcriber: voiceOsTranscriberConfigSchema.nullish(),
  voice: voiceOsVoiceConfigSchema.nullish(),
  webhooks: z.array(voiceOsWebhookSchema).nullish(),
});

/** A saved agent: its configuration plus identity. */
export const voiceOsAgentSchema = voiceOsAgentConfigSchema.extend({
  id: z.string().min(1),
  name: optionalString,
  created_at: timestamp.nullish(),
});

/**
 * An amount in USD. The document gives no type ("The cost for the agent usage (USD)"): the
 * simulator writes JSON numbers, and a decimal string ("0.0352", as money APIs often send it) is
 * the other plausible reading, taken too, exactly (it refused the whole cost before).
 */
const amount = z.union([z.number(), z.string().refine((text) => Decimal.parse(text) !== null, 'expected a decimal number')]).nullish();

const costPart = {
  cost: amount,
  provider: optionalString,
};

/**
 * What a part used ("The number of seconds used", "... of input tokens", "... of characters"):
 * never below zero, and tokens and characters whole. `z.number()` took -120 seconds and answered
 * it as a quantity (an outside trial); the cost is now the provider's bad response instead.
 */
const usedSeconds = z.number().nonnegative().nullish();
const usedCount = z.number().int().nonnegative().nullish();

export const voiceOsCostSchema = z.object({
  agent: z.object({ ...costPart, seconds: usedSeconds }).nullish(),
  llm: z.object({ ...costPart, input_tokens: usedCount, output_tokens: usedCount }).nullish(),
  total: amount,
  transcriber: z.object({ ...costPart, seconds: usedSeconds }).nullish(),
  voice: z.object({ ...costPart, characters: usedCount }).nullish(),
  /** Null over web. */
  telephony: z.object({ ...costPart, seconds: usedSeconds }).nullish(),
});

/** The document says only "the phone call details"; these names are assumed. */
export const voiceOsPhoneCallSchema = z.object({
  from_number: optionalString,
  to_number: optionalString,
  direction: optionalString,
  provider_call_id: optionalString,
});

export const voiceOsConversationSchema = z.object({
  account_id: optionalString,
  agent: voiceOsAgentConfigSchema.nullish(),
  id: z.string().min(1),
  status: z.string(),
  type: z.string(),
  uri: optionalString,
  /** Null when the conversation ran an inline configuration rather than a saved agent. */
  agent_id: optionalString,
  /** Null while queued. */
  cost: voiceOsCostSchema.nullish(),
  end_time: timestamp.nullish(),
  end_reason: optionalString,
  /** Null over web. */
  phone_call: voiceOsPhoneCallSchema.nullish(),
  start_time: timestamp.nullish(),
  created_at: timestamp,
});

export const voiceOsConversationPageSchema = z.object({
  total: z.number().int().nonnegative(),
  page: z.number().int().nullish(),
  conversations: z.array(voiceOsConversationSchema),
});

export const voiceOsAgentPageSchema = z.object({
  total: z.number().int().nonnegative(),
  page: z.number().int().nullish(),
  agents: z.array(voiceOsAgentSchema),
});

export type VoiceOsAgentConfig = z.output<typeof voiceOsAgentConfigSchema>;
export type VoiceOsAgent = z.output<typeof voiceOsAgentSchema>;
export type VoiceOsCost = z.output<typeof voiceOsCostSchema>;
export type VoiceOsConversation = z.output<typeof voiceOsConversationSchema>;
export type VoiceOsAgentPage = z.output<typeof voiceOsAgentPageSchema>;

/** The `status` values the list endpoint filters on. */
export type VoiceOsStatusFilter = 'started' | 'ended' | 'queued';
