/**
 * Lets a loop sleep until there is something to do, or at most a given time. A wake that comes
 * while the loop is busy is remembered, so the next wait returns at once and no wake is lost.
 */
export class WakeSignal {
  #pending = false;
  #release: (() => void) | null = null;

  wake(): void {
    this.#pending = true;
    this.#release?.();
  }

  /** Whether a wake arrived since the last wait returned. */
  get pending(): boolean {
    return this.#pending;
  }

  wait(maxMs: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        if (this.#release === release) this.#release = null;
        this.#pending = false;
        resolve();
      };
      const timer = setTimeout(release, Math.max(0, maxMs));
      this.#release = release;
    });
  }
}
