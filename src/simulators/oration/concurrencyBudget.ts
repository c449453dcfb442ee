/** Figures about one workspace's concurrency budget, for tests and the fan-out benchmark. */
export interface OrationBudgetStats {
  limit: number;
  /** Slots held now (queued, dialing or active conversations created through the API). */
  held: number;
  /** Most slots ever held at once. */
  peak: number;
  /** Conversations created through the API. */
  created: number;
  /** Create requests answered 429 because the budget was short. */
  rejected429: number;
  /** `dynamicVariables.switchboardRequestId` values carried by more than one created conversation. */
  duplicateRequestIds: string[];
  /** Integral of held slots over time so far, in slot-milliseconds. */
  busySlotMs: number;
  /** ISO time of the first create, or null. */
  firstCreateAt: string | null;
  /** ISO time of the latest end of a created conversation so far, or null. */
  lastEndAt: string | null;
  /** Slot-hold time of each ended conversation, in order of ending. */
  durationsMs: number[];
}

interface HeldSlot {
  createdAtMs: number;
  endsAtMs: number;
}

/**
 * One workspace's concurrent-conversation budget. A slot is held from the create until the
 * conversation ends or fails; the end time is known at creation (see `LiveConversation`), so
 * releases are settled lazily against the clock instead of by timers.
 */
export class ConcurrencyBudget {
  #limit: number;
  #open: HeldSlot[] = [];
  #peak = 0;
  #created = 0;
  #rejected429 = 0;
  #requestIdCounts = new Map<string, number>();
  #closedBusyMs = 0;
  #firstCreateAtMs: number | null = null;
  #lastEndAtMs: number | null = null;
  #durationsMs: number[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Changes the limit at runtime, e.g. to act as another client that shares the workspace. */
  setLimit(limit: number): void {
    this.#limit = Math.max(0, Math.floor(limit));
  }

  held(nowMs: number): number {
    this.#settle(nowMs);
    return this.#open.length;
  }

  free(nowMs: number): number {
    return Math.max(0, this.#limit - this.held(nowMs));
  }

  /** Whole seconds until the earliest held slot frees, at least 1 (also when none is held). */
  retryAfterSeconds(nowMs: number): number {
    this.#settle(nowMs);
    const earliest = Math.min(...this.#open.map((slot) => slot.endsAtMs));
    return Number.isFinite(earliest) ? Math.max(1, Math.ceil((earliest - nowMs) / 1000)) : 1;
  }

  /** Takes a slot for a created conversation. The caller has checked `free` first. */
  hold(slot: HeldSlot & { requestId: string | null }, nowMs: number): void {
    this.#settle(nowMs);
    this.#open.push({ createdAtMs: slot.createdAtMs, endsAtMs: slot.endsAtMs });
    this.#created++;
    this.#firstCreateAtMs ??= slot.createdAtMs;
    this.#peak = Math.max(this.#peak, this.#open.length);
    if (slot.requestId !== null) {
      this.#requestIdCounts.set(slot.requestId, (this.#requestIdCounts.get(slot.requestId) ?? 0) + 1);
    }
  }

  recordRejection(): void {
    this.#rejected429++;
  }

  stats(nowMs: number): OrationBudgetStats {
    this.#settle(nowMs);
    const openBusyMs = this.#open.reduce((sum, slot) => sum + Math.max(0, nowMs - slot.createdAtMs), 0);
    return {
      limit: this.#limit,
      held: this.#open.length,
      peak: this.#peak,
      created: this.#created,
      rejected429: this.#rejected429,
      duplicateRequestIds: [...this.#requestIdCounts].filter(([, count]) => count > 1).map(([id]) => id),
      busySlotMs: this.#closedBusyMs + openBusyMs,
      firstCreateAt: isoOrNull(this.#firstCreateAtMs),
      lastEndAt: isoOrNull(this.#lastEndAtMs),
      durationsMs: [...this.#durationsMs],
    };
  }

  /** Releases every slot whose conversation has ended by `nowMs`, in order of ending. */
  #settle(nowMs: number): void {
    const ended = this.#open.filter((slot) => slot.endsAtMs <= nowMs).sort((a, b) => a.endsAtMs - b.endsAtMs);
    if (ended.length === 0) return;
    this.#open = this.#open.filter((slot) => slot.endsAtMs > nowMs);
    for (const slot of ended) {
      const heldMs = slot.endsAtMs - slot.createdAtMs;
      this.#closedBusyMs += heldMs;
      this.#durationsMs.push(heldMs);
      this.#lastEndAtMs = Math.max(this.#lastEndAtMs ?? slot.endsAtMs, slot.endsAtMs);
    }
  }
}

function isoOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}
