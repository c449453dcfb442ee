import { signWebhook } from '../../sync/standardWebhooks.ts';
import { Deliveries, type DeliveryStats } from './deliveries.ts';

/** Where a simulated provider account sends its webhooks, and how badly (on request). */
export interface WebhookTarget {
  url: string;
  /** Standard Webhooks signing secret (`whsec_…`): deliveries are signed when set. */
  secret?: string;
  /** Send every delivery twice (same `webhook-id`), as at-least-once senders do. */
  duplicates?: boolean;
  /** Hold a conversation's events until its last one and send them newest first. */
  outOfOrder?: boolean;
}

export interface WebhookEvent {
  /** The delivery's id (`webhook-id`); the same event sent twice keeps it. */
  id: string;
  type: string;
  conversationId: string;
  status: string;
  occurredAtMs: number;
}

/**
 * Sends the Oration simulator's webhook deliveries (VoiceOS's follow its agents' configuration:
 * `voiceos/agentHookSender.ts`): a JSON body `{ type, conversationId, status, occurredAt }`
 * POSTed to the account's target, signed the Standard Webhooks way when a secret is set. Events
 * are scheduled on timers at the instant they happen (the simulators derive state from the clock,
 * so nothing else runs on time). Failed deliveries are counted, not retried: the gateway's polling
 * and sync are the fallback, which is what a test of lost webhooks wants.
 */
export class WebhookSender {
  readonly #targets = new Map<string, WebhookTarget>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #deliveries = new Deliveries();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  setTarget(account: string, target: WebhookTarget | null): void {
    if (target === null) this.#targets.delete(account);
    else this.#targets.set(account, target);
  }

  /** Schedules one conversation's events (in the order they happen). */
  schedule(account: string, events: readonly WebhookEvent[]): void {
    const target = this.#targets.get(account);
    if (!target || events.length === 0) return;
    if (target.outOfOrder) {
      const lastMs = Math.max(...events.map((event) => event.occurredAtMs));
      this.#at(lastMs, () => this.#sendInOrder(target, [...events].reverse()));
      return;
    }
    for (const event of events) this.#at(event.occurredAtMs, () => this.#sendInOrder(target, [event]));
  }

  /** Sends one event now (tests: an event for a conversation the gateway has not seen). */
  sendNow(account: string, event: WebhookEvent): Promise<void> {
    const target = this.#targets.get(account);
    return target ? this.#sendInOrder(target, [event]) : Promise.resolve();
  }

  stats(): DeliveryStats {
    return this.#deliveries.stats();
  }

  /** Deliveries in flight finish; scheduled ones are dropped. */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await this.#deliveries.settled();
  }

  #at(ms: number, send: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#deliveries.track(send());
    }, Math.max(0, ms - this.#now()));
    timer.unref();
    this.#timers.add(timer);
  }

  async #sendInOrder(target: WebhookTarget, events: readonly WebhookEvent[]): Promise<void> {
    for (const event of events) {
      for (let copy = 0; copy < (target.duplicates ? 2 : 1); copy += 1) await this.#deliver(target, event);
    }
  }

  async #deliver(target: WebhookTarget, event: WebhookEvent): Promise<void> {
    const body = JSON.stringify({
      type: event.type,
      conversationId: event.conversationId,
      status: event.status,
      occurredAt: new Date(event.occurredAtMs).toISOString(),
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'webhook-id': event.id, 'webhook-timestamp': String(timestamp) };
    if (target.secret) headers['webhook-signature'] = signWebhook(target.secret, event.id, timestamp, body);
    await this.#deliveries.send(target.url, { method: 'POST', headers, body });
  }
}
