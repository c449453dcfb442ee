import { readVoiceOsHookDelivery, VOICEOS_HOOK_METHODS } from '../providers/voiceos/hookDelivery.ts';
import type { WebhookMethod, WebhookRequest } from '../providers/webhookRequest.ts';
import { parseWebhookEvent, type ParsedWebhookEvent } from './webhookEvent.ts';

/** How one provider's webhooks arrive: the methods it sends them with, and how a delivery is read. */
export interface ProviderWebhookFormat {
  methods: readonly WebhookMethod[];
  parse(request: WebhookRequest): ParsedWebhookEvent;
}

/** Oration and Trata document no webhooks: a POSTed JSON event, read tolerantly (`webhookEvent.ts`). */
const POSTED_EVENT: ProviderWebhookFormat = { methods: ['POST'], parse: (request) => parseWebhookEvent(request.body) };

/** VoiceOS documents a GET or POST webhook per agent (`src/providers/voiceos/hookDelivery.ts`). */
const VOICEOS_HOOK: ProviderWebhookFormat = {
  methods: VOICEOS_HOOK_METHODS,
  parse: (request) => {
    const read = readVoiceOsHookDelivery(request);
    return read.ok ? { ok: true, event: { type: read.event, conversationNativeId: read.conversationId } } : read;
  },
};

/** By the provider's name in the webhook path (`/webhooks/<provider>/…`), any case. */
export function webhookFormatOf(provider: string): ProviderWebhookFormat {
  return provider.toLowerCase() === 'voiceos' ? VOICEOS_HOOK : POSTED_EVENT;
}
