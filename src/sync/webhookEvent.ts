import { createHash } from 'node:crypto';
import { z } from 'zod';
import { conversationIdOf, eventFields, optionalObject, optionalText, readEventName, readJsonObject, reasonOf } from '../providers/kit/webhookFields.ts';

/**
 * An Oration or Trata webhook event, read tolerantly (VoiceOS's, configured per agent and sent by
 * GET or POST, are read by `src/providers/voiceos/hookDelivery.ts`). Their documents show no
 * webhooks at all. Assumed (and sent so by the Oration simulator): a POSTed JSON object naming
 * the event in `type` (or `event`) and the conversation in `conversationId` (or
 * `conversation.id`, or `data.conversationId`). The gateway treats an event as a notice that
 * a conversation changed and reads the conversation itself, so an event delivered late or out of
 * order can never set an older state, and no field of the payload needs trusting beyond its id.
 */
const eventSchema = z.looseObject({ ...eventFields, data: optionalObject({ conversationId: optionalText() }) });

export interface WebhookEvent {
  type: string;
  conversationNativeId: string | null;
}

export type ParsedWebhookEvent = { ok: true; event: WebhookEvent } | { ok: false; reason: string };

export function parseWebhookEvent(body: string): ParsedWebhookEvent {
  const json = readJsonObject(body);
  if (!json.ok) return json;
  const parsed = eventSchema.safeParse(json.value);
  if (!parsed.success) return { ok: false, reason: reasonOf(parsed.error) };
  const type = readEventName(parsed.data, 'body', 'type');
  if (!type.ok) return type;
  const conversationNativeId = conversationIdOf(parsed.data) ?? parsed.data.data?.conversationId ?? null;
  return { ok: true, event: { type: type.value, conversationNativeId } };
}

/** Events that say a conversation is over (VoiceOS's `conversation:ended`; status words of the others). */
export function isEndEvent(type: string): boolean {
  return type === 'conversation:ended' || type === 'conversation.ended' || type === 'conversation:failed';
}

/** The sender's delivery id (`webhook-id`), else a digest of the body: the same delivery twice is one. */
export function deliveryIdOf(headerId: string | undefined, body: string): string {
  return headerId && headerId.length <= 200 ? headerId : `sha256:${createHash('sha256').update(body, 'utf8').digest('hex')}`;
}
