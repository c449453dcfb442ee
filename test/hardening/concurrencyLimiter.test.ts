import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../src/providers/resilience/concurrencyLimiter.ts';

/**
 * Drives a limiter with named tasks (`a1` of account `A`, ...) that run until the test finishes
 * them, recording the order in which they start.
 */
function harness(limiter: ConcurrencyLimiter) {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  const runs = new Map<string, Promise<string>>();
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    started,
    submit(...names: string[]) {
      for (const name of names) {
        const account = name[0]!.toUpperCase();
        const run = limiter.run(account, () => new Promise<string>((resolve) => {
          started.push(name);
          finishers.set(name, () => resolve(name));
        }));
        runs.set(name, run);
      }
    },
    /** Finishes running tasks one after another, letting each freed slot be handed on. */
    async finish(...names: string[]) {
      for (const name of names) {
        const finisher = finishers.get(name);
        if (!finisher) throw new Error(`${name} has not started`);
        finisher();
        await runs.get(name);
        await settle();
      }
    },
  };
}

describe('ConcurrencyLimiter', () => {
  it('never runs more than maxConcurrent tasks and starts one account\'s waiting tasks in arrival order', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 2, maxQueued: 10 });
    const { started, submit, finish } = harness(limiter);
    submit('a1', 'a2', 'a3', 'a4', 'a5');
    expect(started).toEqual(['a1', 'a2']);
    expect(limiter.queued).toBe(3);
    await finish('a2', 'a1');
    expect(started).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(limiter.active).toBe(2);
    await finish('a3', 'a4', 'a5');
    expect(limiter.active).toBe(0);
    expect(limiter.queued).toBe(0);
  });

  it('frees the slot when a task fails', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 1, maxQueued: 1 });
    await expect(limiter.run('A', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run('A', async () => 'next')).toBe('next');
    expect(limiter.active).toBe(0);
  });

  it('lets an account alone use every slot, then hands freed slots to a newcomer until it holds as many', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 4, maxQueued: 10 });
    const { started, submit, finish } = harness(limiter);
    submit('a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7');
    expect(started).toEqual(['a1', 'a2', 'a3', 'a4']);
    submit('b1', 'b2', 'b3');
    expect([limiter.queuedFor('A'), limiter.queuedFor('B')]).toEqual([3, 3]);
    // B holds fewer slots than A, so B gets the first two freed; then they alternate.
    await finish('a1', 'a2', 'a3', 'a4', 'b1');
    expect(started).toEqual(['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'a5', 'a6', 'b3']);
    expect([limiter.activeFor('A'), limiter.activeFor('B')]).toEqual([2, 2]);
  });

  it('gives each freed slot to the account holding fewest, so fast calls keep their share against slow ones', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 2, maxQueued: 10 });
    const { started, submit, finish } = harness(limiter);
    submit('a1', 'a2', 'a3', 'a4');
    submit('b1', 'b2', 'b3', 'b4');
    // A's calls are slow (a2 never finishes here), B's fast. Round-robin over grants would hand
    // b1's slot back to A and let A hold both; "fewest held" keeps one slot with each.
    await finish('a1', 'b1', 'b2', 'b3');
    expect(started).toEqual(['a1', 'a2', 'b1', 'b2', 'b3', 'b4']);
    await finish('b4');
    expect(started).toEqual(['a1', 'a2', 'b1', 'b2', 'b3', 'b4', 'a3']);
  });

  it('serves accounts that hold equally few round-robin, each in its own arrival order', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 1, maxQueued: 10 });
    const { started, submit, finish } = harness(limiter);
    submit('a1', 'a2', 'a3', 'a4');
    submit('b1', 'b2');
    submit('c1');
    await finish('a1', 'b1', 'c1', 'a2', 'b2', 'a3');
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
  });

  it("bounds each account's line separately: a full line refuses only its own account", async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 1, maxQueued: 2 });
    const { started, submit, finish } = harness(limiter);
    submit('a1', 'a2');
    expect(limiter.isFull('A')).toBe(false);
    submit('a3');
    expect([limiter.isFull('A'), limiter.isFull('B')]).toEqual([true, false]);
    submit('b1', 'b2');
    expect([limiter.isFull('A'), limiter.isFull('B')]).toEqual([true, true]);
    expect([limiter.queuedFor('A'), limiter.queuedFor('B'), limiter.queued]).toEqual([2, 2, 4]);
    await finish('a1');
    expect([limiter.isFull('A'), limiter.isFull('B')]).toEqual([true, false]);
    await finish('b1', 'a2', 'b2', 'a3');
    expect(started).toEqual(['a1', 'b1', 'a2', 'b2', 'a3']);
    // Idle accounts leave nothing behind.
    expect([limiter.active, limiter.queued, limiter.activeFor('A'), limiter.queuedFor('B')]).toEqual([0, 0, 0, 0]);
    expect([limiter.isFull('A'), limiter.isFull('B')]).toEqual([false, false]);
  });
});
