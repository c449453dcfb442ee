/** One buffered event and how many were dropped just before it. */
export interface Buffered<T> {
  value: T;
  droppedBefore: number;
}

/**
 * A bounded queue between the change feed (which never waits) and one subscriber (who reads at
 * its own pace). At most `capacity` events wait; when a new one arrives on a full buffer the
 * oldest is dropped and counted, and the next event read carries that count, so the subscriber
 * learns it missed changes (and can re-query) while the gateway's memory per subscription stays
 * bounded however slowly, or whether at all, the subscriber reads.
 */
export class EventBuffer<T> implements AsyncIterator<Buffered<T>> {
  readonly capacity: number;
  readonly #items: T[] = [];
  #dropped = 0;
  #totalDropped = 0;
  #waiting: ((result: IteratorResult<Buffered<T>>) => void) | null = null;
  #closed = false;
  readonly #onClose: () => void;

  constructor(capacity: number, onClose: () => void = () => {}) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#onClose = onClose;
  }

  /** Events waiting to be read. */
  get size(): number {
    return this.#items.length;
  }

  /** Events dropped since the buffer opened. */
  get totalDropped(): number {
    return this.#totalDropped;
  }

  push(value: T): void {
    if (this.#closed) return;
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = null;
      resolve({ done: false, value: this.#take(value) });
      return;
    }
    if (this.#items.length >= this.capacity) {
      this.#items.shift();
      this.#dropped += 1;
      this.#totalDropped += 1;
    }
    this.#items.push(value);
  }

  /** Counts an event the reader skipped after taking it (filtered out), so the count reaches the next one read. */
  carryDropped(count: number): void {
    this.#dropped += count;
  }

  next(): Promise<IteratorResult<Buffered<T>>> {
    if (this.#items.length > 0) return Promise.resolve({ done: false, value: this.#take(this.#items.shift() as T) });
    if (this.#closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<Buffered<T>>> {
    this.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#items.length = 0;
    this.#waiting?.({ done: true, value: undefined });
    this.#waiting = null;
    this.#onClose();
  }

  #take(value: T): Buffered<T> {
    const droppedBefore = this.#dropped;
    this.#dropped = 0;
    return { value, droppedBefore };
  }
}
