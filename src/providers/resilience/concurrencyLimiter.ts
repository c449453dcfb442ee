export interface ConcurrencyLimiterOptions {
  /**
   * Upstream requests to one provider in flight at once, across all accounts. A slow provider
   * then holds at most this many sockets and the rest wait in line instead of piling up. Shared
   * fairly between the accounts that are waiting (see `ConcurrencyLimiter`).
   * @default 32
   */
  maxConcurrent: number;
  /**
   * Requests of one provider account allowed to wait for a slot; one more of that account is
   * refused at once (PROVIDER_UNAVAILABLE), so a stalled provider cannot make the gateway hoard
   * requests without bound. The bound is per account: one account's flood fills only its own
   * line and never refuses another account's request.
   * @default 1000
   */
  maxQueued: number;
}

export const DEFAULT_CONCURRENCY_LIMITER_OPTIONS: Readonly<ConcurrencyLimiterOptions> = Object.freeze({
  maxConcurrent: 32,
  maxQueued: 1000,
});

/** One account's place at the limiter: the slots it holds and its own first-come, first-served line. */
interface AccountLine {
  active: number;
  readonly waiting: (() => void)[];
  /** Sequence number of the account's latest grant; 0 before its first. Breaks ties round-robin. */
  lastGrant: number;
}

/**
 * A counting semaphore for one provider, shared fairly between provider accounts (the callers
 * that the provider itself tells apart: one set of credentials, see `upstreamAccountOf`).
 *
 * The fairness rule:
 * - A slot that is free is taken at once: an account alone may use every slot (work-conserving;
 *   nobody waits while capacity idles).
 * - When every slot is taken, each account waits in its own FIFO line, bounded by `maxQueued`.
 * - A freed slot goes to the waiting account that holds the fewest slots right now; among
 *   accounts holding equally few, to the one served least recently (round-robin).
 * - Within an account, requests start in arrival order.
 *
 * Why "fewest held" rather than plain round-robin over grants: the share that matters is
 * concurrency held, not grants handed out. With round-robin grants an account whose calls take
 * 5 s and another whose calls take 50 ms get equal grants, so the slow account ends up holding
 * almost every slot. Giving each freed slot to the account holding fewest drives the accounts
 * with demand toward equal shares of `maxConcurrent` whatever their call durations, and an
 * account arriving while another holds every slot gets each slot freed until it holds as many.
 * An account never waits longer for its first slot than the shortest call in flight (at most the
 * upstream timeout). Slots are not taken back from a running call; a hard per-account cap would
 * shorten that first wait but leave capacity idle when an account is alone, so there is none.
 */
export class ConcurrencyLimiter {
  readonly #options: ConcurrencyLimiterOptions;
  /** Only accounts holding a slot or waiting for one: an idle account leaves no trace. */
  readonly #lines = new Map<string, AccountLine>();
  #active = 0;
  #grants = 0;

  constructor(options: Partial<ConcurrencyLimiterOptions> = {}) {
    this.#options = { ...DEFAULT_CONCURRENCY_LIMITER_OPTIONS, ...options };
  }

  /** Requests running now, all accounts together. */
  get active(): number {
    return this.#active;
  }

  /** Requests waiting for a slot, all accounts together. */
  get queued(): number {
    let queued = 0;
    for (const line of this.#lines.values()) queued += line.waiting.length;
    return queued;
  }

  /** Requests of `account` running now. */
  activeFor(account: string): number {
    return this.#lines.get(account)?.active ?? 0;
  }

  /** Requests of `account` waiting for a slot. */
  queuedFor(account: string): number {
    return this.#lines.get(account)?.waiting.length ?? 0;
  }

  /** Whether `run` would have to refuse a new task of `account` right now: every slot taken and its own line full. */
  isFull(account: string): boolean {
    return this.#active >= this.#options.maxConcurrent && this.queuedFor(account) >= this.#options.maxQueued;
  }

  /**
   * Runs `task` for `account` once a slot is granted and frees the slot when it settles. Callers
   * check `isFull(account)` first; a task offered while full still waits rather than being dropped.
   */
  async run<T>(account: string, task: () => Promise<T>): Promise<T> {
    const line = this.#lineOf(account);
    if (this.#active < this.#options.maxConcurrent) {
      this.#grant(line);
    } else {
      await new Promise<void>((resolve) => line.waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      this.#release(account, line);
    }
  }

  #lineOf(account: string): AccountLine {
    let line = this.#lines.get(account);
    if (!line) {
      line = { active: 0, waiting: [], lastGrant: 0 };
      this.#lines.set(account, line);
    }
    return line;
  }

  #grant(line: AccountLine): void {
    line.active += 1;
    this.#active += 1;
    line.lastGrant = ++this.#grants;
  }

  #release(account: string, line: AccountLine): void {
    line.active -= 1;
    this.#active -= 1;
    // Hand the slot on in the same turn, so no newcomer can take it ahead of those waiting.
    const next = this.#nextInLine();
    if (next) {
      this.#grant(next);
      next.waiting.shift()!();
    }
    if (line.active === 0 && line.waiting.length === 0) this.#lines.delete(account);
  }

  /** The waiting account holding the fewest slots; among those, the one served least recently. */
  #nextInLine(): AccountLine | null {
    let best: AccountLine | null = null;
    for (const line of this.#lines.values()) {
      if (line.waiting.length === 0) continue;
      if (!best || line.active < best.active || (line.active === best.active && line.lastGrant < best.lastGrant)) best = line;
    }
    return best;
  }
}
