import { Deliveries, type DeliveryStats } from '../shared/deliveries.ts';
import type { HookDelivery, Webhook } from './wireTypes.ts';

/**
 * Sends VoiceOS hook events the way the document configures them: to each of the agent
 * configuration's `webhooks` that lists the event, with that webhook's `method`. A GET carries the
 * delivery's fields as query parameters (a GET has no body); a POST carries them as a JSON body.
 * Nothing else is sent: the document defines no signature or delivery-id header. Failed
 * deliveries are counted, not retried (the document promises no retries; the gateway's sync is
 * the fallback).
 */
export class AgentHookSender {
  readonly #deliveries = new Deliveries();

  /** Sends `delivery` to the webhooks subscribed to its event; answers how many those were. */
  async send(webhooks: readonly Webhook[], delivery: HookDelivery): Promise<number> {
    const subscribed = webhooks.filter((webhook) => webhook.events.includes(delivery.event));
    await Promise.all(subscribed.map((webhook) => this.#deliveries.track(this.#deliver(webhook, delivery))));
    return subscribed.length;
  }

  stats(): DeliveryStats {
    return this.#deliveries.stats();
  }

  async close(): Promise<void> {
    await this.#deliveries.settled();
  }

  async #deliver(webhook: Webhook, delivery: HookDelivery): Promise<void> {
    const url = parseUrl(webhook.url);
    // The seeded agents' own webhooks point at `.example` hosts, reserved (RFC 2606) never to
    // resolve: counted as failed without a DNS lookup that could stall a test.
    if (url === null || url.hostname === 'example' || url.hostname.endsWith('.example')) {
      this.#deliveries.countFailed();
      return;
    }
    const fields: Record<string, string> = { ...delivery };
    let init: RequestInit;
    if (webhook.method === 'GET') {
      for (const [name, value] of Object.entries(fields)) url.searchParams.set(name, value);
      init = { method: 'GET' };
    } else {
      init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) };
    }
    await this.#deliveries.send(url, init);
  }
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}
