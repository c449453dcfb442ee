import { z } from 'zod';

/**
 * The tolerant reading every provider's webhook delivery shares: Oration's and Trata's
 * (`src/sync/webhookEvent.ts`) and VoiceOS's (`voiceos/hookDelivery.ts`, which adds its GET query
 * and snake_case names). The gateway reads the conversation itself, so a delivery is trusted for
 * no more than its event's name and which conversation it is about; a field is checked only for
 * its type, and a wrong one is named, never its value (a payload may carry personal data).
 */
const TEXT = 'must be a non-empty string';
// NUL is no text any store keeps: refused here (400), not by PostgreSQL when the event is stored (a 500 a provider would retry forever).
export const optionalText = () =>
  z.string({ error: TEXT }).min(1, TEXT).refine((text) => !text.includes('\u0000'), 'must not contain the NUL character').optional();
export const optionalObject = <T extends z.core.$ZodLooseShape>(shape: T) => z.looseObject(shape, { error: 'must be an object' }).optional();

/** The names any delivery may give its event (`type`, `event`) and its conversation by. */
export const eventFields = {
  type: optionalText(),
  event: optionalText(),
  conversationId: optionalText(),
  conversation: optionalObject({ id: optionalText() }),
};

export interface EventFields {
  type?: string | undefined;
  event?: string | undefined;
  conversationId?: string | undefined;
  conversation?: { id?: string | undefined } | undefined;
}

export type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A POSTed body as a JSON object. */
export function readJsonObject(body: string): Read<Record<string, unknown>> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, reason: 'body is not a JSON object' };
  return { ok: true, value: json as Record<string, unknown> };
}

/** Names each field that is wrong, never its value. */
export function reasonOf(error: z.ZodError): string {
  return error.issues.map((issue) => `"${issue.path.join('.')}" ${issue.message}`).join('; ');
}

/** The event's name: by the provider's own word for it (`own`) first, else the other. */
export function readEventName(fields: EventFields, where: 'query' | 'body', own: 'type' | 'event'): Read<string> {
  const name = own === 'type' ? (fields.type ?? fields.event) : (fields.event ?? fields.type);
  return name ? { ok: true, value: name } : { ok: false, reason: `${where} names no event: expected "${own}"` };
}

/** The conversation's id by the shared names: `conversationId`, else `conversation.id`. */
export function conversationIdOf(fields: EventFields): string | undefined {
  return fields.conversationId ?? fields.conversation?.id;
}
