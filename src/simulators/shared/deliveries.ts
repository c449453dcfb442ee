export interface DeliveryStats {
  delivered: number;
  failed: number;
}

/** How long a delivery may take before it counts as failed. */
const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * What the simulators' webhook senders share (`webhookSender.ts`, `voiceos/agentHookSender.ts`):
 * the deliveries in flight, so closing waits for them, and the delivered/failed counts. A delivery
 * is one request: answered 2xx within 10 s it is delivered, anything else failed. Failures are
 * counted, never retried: the gateway's polling and sync are the fallback.
 */
export class Deliveries {
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stats: DeliveryStats = { delivered: 0, failed: 0 };

  /** Keeps `sending` in flight until it settles; answers it, tracked. */
  track(sending: Promise<void>): Promise<void> {
    const tracked = sending.finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
    return tracked;
  }

  /** Sends one delivery and counts how it was answered. */
  async send(url: string | URL, init: RequestInit): Promise<void> {
    // A timer cleared when the delivery ends: `AbortSignal.timeout`'s cannot be, and stays pending.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), DELIVERY_TIMEOUT_MS).unref();
    try {
      const response = await fetch(url, { ...init, signal: deadline.signal });
      await response.arrayBuffer();
      if (response.ok) this.#stats.delivered += 1;
      else this.#stats.failed += 1;
    } catch {
      this.#stats.failed += 1;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Counts a delivery that could not be sent at all. */
  countFailed(): void {
    this.#stats.failed += 1;
  }

  stats(): DeliveryStats {
    return { ...this.#stats };
  }

  /** Waits for the deliveries in flight to settle. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }
}
