import { describe, expect, it } from 'vitest';
import { ExportSlots, resolveExportLimits } from '../../src/analytics/exports/exportSlots.ts';

describe('export slots', () => {
  it('default to a third of the pool (at least one) and half of that per workspace, rounded up', () => {
    expect(resolveExportLimits()).toEqual({ maxConcurrent: 3, maxPerWorkspace: 2, stallTimeoutMs: 30_000 });
    expect(resolveExportLimits({}, 20)).toEqual({ maxConcurrent: 6, maxPerWorkspace: 3, stallTimeoutMs: 30_000 });
    expect(resolveExportLimits({}, 2)).toEqual({ maxConcurrent: 1, maxPerWorkspace: 1, stallTimeoutMs: 30_000 });
    expect(resolveExportLimits({ maxConcurrent: 5 })).toEqual({ maxConcurrent: 5, maxPerWorkspace: 3, stallTimeoutMs: 30_000 });
    expect(resolveExportLimits({ maxConcurrent: 4, maxPerWorkspace: 4, stallTimeoutMs: 500 })).toEqual({ maxConcurrent: 4, maxPerWorkspace: 4, stallTimeoutMs: 500 });
  });

  it('refuse past a workspace\'s share first, then past the replica\'s cap, and take a slot back once however often it is released', () => {
    const slots = new ExportSlots({ maxConcurrent: 3, maxPerWorkspace: 2 });
    const a1 = slots.tryAcquire('a');
    const a2 = slots.tryAcquire('a');
    expect(slots.tryAcquire('a')).toEqual({ limit: 'workspace', max: 2 });
    const b1 = slots.tryAcquire('b');
    expect(slots.tryAcquire('c')).toEqual({ limit: 'replica', max: 3 });
    expect(slots.tryAcquire('a')).toEqual({ limit: 'workspace', max: 2 }); // its own share, though the replica is full too
    expect([slots.inUse(), slots.inUse('a'), slots.inUse('b'), slots.inUse('c')]).toEqual([3, 2, 1, 0]);

    if (!('release' in a1) || !('release' in a2) || !('release' in b1)) throw new Error('the first three get slots');
    a1.release();
    a1.release(); // twice: still one slot back, not two
    expect([slots.inUse(), slots.inUse('a')]).toEqual([2, 1]);
    expect('release' in slots.tryAcquire('c')).toBe(true);
    expect(slots.tryAcquire('a')).toEqual({ limit: 'replica', max: 3 });
    a2.release();
    b1.release();
    expect([slots.inUse(), slots.inUse('a'), slots.inUse('b')]).toEqual([1, 0, 0]);
  });
});
