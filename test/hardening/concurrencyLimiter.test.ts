import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../src/providers/resilience/concurrencyLimiter.ts';

/** A task that runs until the test releases it, recording when it started. */
function gate() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return { released, release };
}

describe('ConcurrencyLimiter', () => {
  it('never runs more than maxConcurrent tasks and starts waiting ones in arrival order', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 2, maxQueued: 10 });
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const runs = gates.map((g, index) =>
      limiter.run(async () => {
        started.push(index);
        running += 1;
        peak = Math.max(peak, running);
        await g.released;
        running -= 1;
        return index;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limiter.queued).toBe(3);
    gates[1]!.release();
    gates[0]!.release();
    await runs[1];
    await runs[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2, 3]);
    for (const g of gates) g.release();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(limiter.active).toBe(0);
  });

  it('frees the slot when a task fails', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 1, maxQueued: 1 });
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'next')).toBe('next');
    expect(limiter.active).toBe(0);
  });

  it('reports full once every slot and every queue place is taken', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 1, maxQueued: 1 });
    const g = gate();
    const first = limiter.run(() => g.released);
    expect(limiter.full).toBe(false);
    const second = limiter.run(() => g.released);
    expect(limiter.full).toBe(true);
    g.release();
    await Promise.all([first, second]);
    expect(limiter.full).toBe(false);
  });
});
