import type { ChangeEvent, ChangeFeed, ChangeListener } from './changeEvent.ts';

/** The feed with PGlite: one process holds the store, so notifications stay in it. */
export class InProcessFeed implements ChangeFeed {
  readonly #listeners = new Set<ChangeListener>();

  async publish(events: readonly ChangeEvent[]): Promise<void> {
    for (const event of events) deliver(this.#listeners, event);
  }

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}

/** Calls each listener; one that throws does not keep the event from the others. */
export function deliver(listeners: Iterable<ChangeListener>, event: ChangeEvent): void {
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch {
      // A subscriber's own failure is its own; the feed goes on.
    }
  }
}
