import { z } from 'zod';
import { conversationIdOf, eventFields, optionalText, readEventName, readJsonObject, reasonOf, type EventFields } from '../kit/webhookFields.ts';
import type { WebhookMethod, WebhookRequest } from '../webhookRequest.ts';

/** The methods the document lets a VoiceOS webhook use. */
export const VOICEOS_HOOK_METHODS: readonly WebhookMethod[] = ['GET', 'POST'];

export type VoiceOsHookRead = { ok: true; event: string; conversationId: string | null } | { ok: false; reason: string };

// The shared names (`eventFields`) plus VoiceOS's own; a GET's query has no nested `conversation`.
const querySchema = z.looseObject({
  event: eventFields.event,
  type: eventFields.type,
  conversation_id: optionalText(),
  conversationId: eventFields.conversationId,
  status: z.unknown().optional(),
  occurred_at: z.unknown().optional(),
});
const bodySchema = querySchema.extend({ conversation: eventFields.conversation });

/**
 * What a VoiceOS webhook delivers. The document configures webhooks on the agent (`method` GET or
 * POST, `url`, `events`) and names the events, but shows no payload. Assumed, snake_case like the
 * document's other fields (and sent so by the simulator): `event`, `conversation_id`, `status`
 * (the conversation's: `started`, `ended`, `queued`) and `occurred_at`, as query parameters of a
 * GET (which has no body) or as a JSON body of a POST. Read tolerantly: `type`, `conversationId`
 * and `conversation.id` (the gateway's earlier reading) are accepted too, and `status` and
 * `occurred_at` may be anything or missing: the gateway reads the conversation itself, so it
 * trusts the delivery for no more than which conversation to read.
 */
export function readVoiceOsHookDelivery(request: WebhookRequest): VoiceOsHookRead {
  if (request.method === 'GET') {
    const parsed = querySchema.safeParse(queryObject(request.query));
    if (!parsed.success) return { ok: false, reason: reasonOf(parsed.error) };
    return readFields('query', parsed.data);
  }
  const json = readJsonObject(request.body);
  if (!json.ok) return json;
  const parsed = bodySchema.safeParse(json.value);
  if (!parsed.success) return { ok: false, reason: reasonOf(parsed.error) };
  return readFields('body', parsed.data);
}

function readFields(where: 'query' | 'body', fields: EventFields & { conversation_id?: string | undefined }): VoiceOsHookRead {
  const event = readEventName(fields, where, 'event');
  if (!event.ok) return event;
  return { ok: true, event: event.value, conversationId: fields.conversation_id ?? conversationIdOf(fields) ?? null };
}

/** Query parameters as one object; a parameter given twice counts once, its first value. */
function queryObject(query: string): Record<string, string> {
  const params = new URLSearchParams(query);
  const object: Record<string, string> = {};
  for (const [name, value] of params) if (!(name in object)) object[name] = value;
  return object;
}
