import type { HookDelivery, Webhook } from './wireTypes.ts';

export interface AgentHookStats {
  delivered: number;
  failed: number;
}

/**
 * Sends VoiceOS hook events the way the document configures them: to each of the agent
 * configuration's `webhooks` that lists the event, with that webhook's `method`. A GET carries the
 * delivery's fields as query parameters (a GET has no body); a POST carries them as a JSON body.
 * Nothing else is sent: the document defines no signature or delivery-id header. Failed
 * deliveries are counted, not retried (the document promises no retries; the gateway's sync is
 * the fallback).
 */
export class AgentHookSender {
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stats: AgentHookStats = { delivered: 0, failed: 0 };

  /** Sends `delivery` to the webhooks subscribed to its event; answers how many those were. */
  async send(webhooks: readonly Webhook[], delivery: HookDelivery): Promise<number> {
    const subscribed = webhooks.filter((webhook) => webhook.events.includes(delivery.event));
    await Promise.all(subscribed.map((webhook) => this.#track(this.#deliver(webhook, delivery))));
    return subscribed.length;
  }

  stats(): AgentHookStats {
    return { ...this.#stats };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  #track(sending: Promise<void>): Promise<void> {
    const tracked = sending.finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
    return tracked;
  }

  async #deliver(webhook: Webhook, delivery: HookDelivery): Promise<void> {
    const url = parseUrl(webhook.url);
    // The seeded agents' own webhooks point at `.example` hosts, reserved (RFC 2606) never to
    // resolve: counted as failed without a DNS lookup that could stall a test.
    if (url === null || url.hostname === 'example' || url.hostname.endsWith('.example')) {
      this.#stats.failed += 1;
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
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      if (response.ok) this.#stats.delivered += 1;
      else this.#stats.failed += 1;
    } catch {
      this.#stats.failed += 1;
    }
  }
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}
