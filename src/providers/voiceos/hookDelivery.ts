import { z } from 'zod';
import type { WebhookMethod, WebhookRequest } from '../webhookRequest.ts';

/** The methods the document lets a VoiceOS webhook use. */
export const VOICEOS_HOOK_METHODS: readonly WebhookMethod[] = ['GET', 'POST'];

export type VoiceOsHookRead = { ok: true; event: string; conversationId: string | null } | { ok: false; reason: string };

const TEXT = 'must be a non-empty string';
const text = () => z.string({ error: TEXT }).min(1, TEXT).optional();
const flatFields = {
  event: text(),
  type: text(),
  conversation_id: text(),
  conversationId: text(),
  status: z.unknown().optional(),
  occurred_at: z.unknown().optional(),
};
const querySchema = z.looseObject(flatFields);
const bodySchema = z.looseObject({ ...flatFields, conversation: z.looseObject({ id: text() }, { error: 'must be an object' }).optional() });

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
    return readFields('query', parsed.data, undefined);
  }
  let json: unknown;
  try {
    json = JSON.parse(request.body);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, reason: 'body is not a JSON object' };
  const parsed = bodySchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: reasonOf(parsed.error) };
  return readFields('body', parsed.data, parsed.data.conversation?.id);
}

function readFields(where: 'query' | 'body', fields: z.output<typeof querySchema>, nestedConversationId: string | undefined): VoiceOsHookRead {
  const event = fields.event ?? fields.type;
  if (!event) return { ok: false, reason: `${where} names no event: expected "event"` };
  return { ok: true, event, conversationId: fields.conversation_id ?? fields.conversationId ?? nestedConversationId ?? null };
}

/** Names each field that is wrong, never its value: a payload may carry personal data. */
function reasonOf(error: z.ZodError): string {
  return error.issues.map((issue) => `"${issue.path.join('.')}" ${issue.message}`).join('; ');
}

/** Query parameters as one object; a parameter given twice counts once, its first value. */
function queryObject(query: string): Record<string, string> {
  const params = new URLSearchParams(query);
  const object: Record<string, string> = {};
  for (const [name, value] of params) if (!(name in object)) object[name] = value;
  return object;
}
