/**
 * The webhook the gateway puts on a VoiceOS agent. The document configures webhooks on the agent
 * (`webhooks`: `method` GET or POST, `url`, `events`), not per API token, and documents no
 * endpoint that edits an agent: the agent's owner adds this entry (docs/live.md), and demo mode
 * adds it through the simulator's control.
 */

/**
 * The events that change what the gateway stores of a conversation: its status and times. The
 * message, speech and function-call events would only make the gateway re-read an unchanged
 * conversation (VoiceOS sends no transcripts), so they are not asked for.
 */
export const GATEWAY_HOOK_EVENTS = ['phone_call:accepted', 'phone_call:rejected', 'conversation:started', 'conversation:ended'] as const;

export type GatewayHookEvent = (typeof GATEWAY_HOOK_EVENTS)[number];

export interface GatewayWebhook {
  /** POST: the body carries the fields; either method is read (`hookDelivery.ts`). */
  method: 'POST';
  url: string;
  events: GatewayHookEvent[];
}

export function gatewayWebhook(url: string): GatewayWebhook {
  return { method: 'POST', url, events: [...GATEWAY_HOOK_EVENTS] };
}

/** An agent's webhooks with the gateway's added: the owner's own stay, an older copy of the gateway's is replaced. */
export function withGatewayWebhook<W extends { url: string }>(webhooks: readonly W[], gateway: W): W[] {
  return [...webhooks.filter((webhook) => webhook.url !== gateway.url), gateway];
}
