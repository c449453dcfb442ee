import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * An Oration or Trata webhook event, read tolerantly (VoiceOS's, configured per agent and sent by
 * GET or POST, are read by `src/providers/voiceos/hookDelivery.ts`). Their documents show no
 * webhooks at all. Assumed (and sent so by the Oration simulator): a POSTed JSON object naming
 * the event in `type` (or `event`) and the conversation in `conversationId` (or
 * `conversation.id`, or `data.conversationId`). The gateway treats an event as a notice that
 * a conversation changed and reads the conversation itself, so an event delivered late or out of
 * order can never set an older state, and no field of the payload needs trusting beyond its id.
 */
const TEXT = 'must be a non-empty string';
const text = () => z.string({ error: TEXT }).min(1, TEXT).optional();
const object = <T extends z.core.$ZodLooseShape>(shape: T) => z.looseObject(shape, { error: 'must be an object' }).optional();
const eventSchema = z.looseObject({
  type: text(),
  event: text(),
  conversationId: text(),
  conversation: object({ id: text() }),
  data: object({ conversationId: text() }),
});

export interface WebhookEvent {
  type: string;
  conversationNativeId: string | null;
}

export type ParsedWebhookEvent = { ok: true; event: WebhookEvent } | { ok: false; reason: string };

export function parseWebhookEvent(body: string): ParsedWebhookEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, reason: 'body is not a JSON object' };
  const parsed = eventSchema.safeParse(json);
  if (!parsed.success) {
    // Name each field that is wrong (never its value: a payload may carry personal data).
    return { ok: false, reason: parsed.error.issues.map((issue) => `"${issue.path.join('.')}" ${issue.message}`).join('; ') };
  }
  const type = parsed.data.type ?? parsed.data.event;
  if (!type) return { ok: false, reason: 'body names no event: expected "type"' };
  const conversationNativeId = parsed.data.conversationId ?? parsed.data.conversation?.id ?? parsed.data.data?.conversationId ?? null;
  return { ok: true, event: { type, conversationNativeId } };
}

/** Events that say a conversation is over (VoiceOS's `conversation:ended`; status words of the others). */
export function isEndEvent(type: string): boolean {
  return type === 'conversation:ended' || type === 'conversation.ended' || type === 'conversation:failed';
}

/** The sender's delivery id (`webhook-id`), else a digest of the body: the same delivery twice is one. */
export function deliveryIdOf(headerId: string | undefined, body: string): string {
  return headerId && headerId.length <= 200 ? headerId : `sha256:${createHash('sha256').update(body, 'utf8').digest('hex')}`;
}
