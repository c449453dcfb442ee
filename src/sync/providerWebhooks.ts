import { PROVIDERS, type Provider } from '../domain/types.ts';
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

/** The provider named in a webhook path (`/webhooks/<provider>/…`), any case; undefined for none of ours. */
export function webhookProviderOf(name: string): Provider | undefined {
  return PROVIDERS.find((each) => each.toLowerCase() === name.toLowerCase());
}

export function unknownWebhookProviderMessage(name: string): string {
  return `Unknown provider "${name}": expected one of ${PROVIDERS.map((p) => p.toLowerCase()).join(', ')}`;
}

export function webhookFormatOf(provider: Provider): ProviderWebhookFormat {
  return provider === 'VOICEOS' ? VOICEOS_HOOK : POSTED_EVENT;
}
