import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findBudget } from '../../src/store/queries/budgets.ts';
import { openTestPglite, type TestDatabase } from '../store/testDatabases.ts';
import {
  AGENT_NATIVE_ID,
  allItems,
  DEMO_ACCOUNT,
  phoneCalls,
  startHarness,
  tally,
  WORKSPACE,
  type Harness,
} from './fanoutHarness.ts';

/** 50 queued + 50 dialing + 200 talking: every call holds its slot for exactly 300 ms. */
const CALL_MS = 300;
const CALLS = {
  queueMs: { kind: 'fixed', ms: 50 },
  dialMs: { kind: 'fixed', ms: 50 },
  talkMs: { kind: 'fixed', ms: 200 },
  unansweredRate: 0,
  failRate: 0,
} as const;

/**
 * Another client of the same Oration workspace, posting straight to the provider: it keeps up
 * to `holds` of its own calls running for `forMs`, and counts what it got and what was refused.
 */
async function otherClient(apiUrl: string, options: { holds: number; forMs: number }) {
  const ends: number[] = [];
  let created = 0;
  let refused = 0;
  const post = async (count: number) => {
    const response = await fetch(`${apiUrl}/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': DEMO_ACCOUNT.apiKey, 'x-workspace-id': DEMO_ACCOUNT.workspaceId },
      body: JSON.stringify({
        conversations: Array.from({ length: count }, () => ({
          agentId: AGENT_NATIVE_ID,
          conversationType: 'telephony',
          toPhoneNumber: '+14155559999',
          dynamicVariables: { source: 'other-client', ref: randomUUID() },
        })),
      }),
    });
    await response.text();
    if (response.status === 429) refused++;
    else if (response.status === 200) {
      created += count;
      for (let i = 0; i < count; i++) ends.push(Date.now() + CALL_MS);
    } else throw new Error(`other client got HTTP ${response.status}`);
  };
  await post(options.holds);
  const stopAt = Date.now() + options.forMs;
  const loop = (async () => {
    while (Date.now() < stopAt) {
      await new Promise((resolve) => setTimeout(resolve, 40));
      const running = ends.filter((end) => end > Date.now()).length;
      if (running < options.holds) await post(options.holds - running);
    }
  })();
  return { done: loop.then(() => ({ created, refused })) };
}

describe('fan-out sharing a workspace with another client (PGlite)', () => {
  let target: TestDatabase;
  let harness: Harness | null = null;
  beforeAll(async () => {
    target = await openTestPglite();
  });
  afterAll(async () => {
    await target?.dispose();
  });
  afterEach(async () => {
    await harness?.close();
    harness = null;
  });

  it('backs off when another client holds slots: nothing lost, failed or dialed twice', async () => {
    harness = await startHarness({ limit: 5, lifecycle: CALLS });
    // The other client holds 3 of the 5 slots before the gateway sends anything.
    const other = await otherClient(harness.apiUrl, { holds: 3, forMs: 1_500 });
    const service = await harness.startService(target.db);
    const batch = await service.createBatch(WORKSPACE, { conversations: phoneCalls(20) });

    const done = await service.waitForBatch(WORKSPACE, batch.id, 30);
    const { created: otherCreated, refused: otherRefused } = await other.done;
    expect(done?.status).toBe('COMPLETED');
    expect(done?.counts).toMatchObject({ ENDED: 20, FAILED: 0, UNRESOLVED: 0 });

    const stats = harness.stats();
    expect(stats.created - otherCreated).toBe(20);
    expect(stats.duplicateRequestIds).toEqual([]);
    expect(stats.peak).toBeLessThanOrEqual(5);
    // Its first burst (5, by its own count) could not fit beside the other client's 3: the
    // provider's 429 is what taught the gateway, and it kept every item queued meanwhile.
    const gateway429s = stats.rejected429 - otherRefused;
    expect(gateway429s).toBeGreaterThanOrEqual(1);

    const items = await allItems(service, WORKSPACE, batch.id);
    expect(tally(items.map((item) => item.state))).toEqual({ ENDED: 20 });
    expect(new Set(items.map((item) => item.conversationNativeId)).size).toBe(20);
    // Items refused by a 429 were sent again, and each was created once (no duplicates above).
    expect(items.some((item) => item.attempts > 1)).toBe(true);
    expect(harness.errors).toEqual([]);
  });

  it('learns a smaller limit from the rate-limit headers than it was configured with', async () => {
    harness = await startHarness({ limit: 5, lifecycle: CALLS });
    const service = await harness.startService(target.db, {
      connectorFor: harness.connectorForLimit(20),
    });
    const batch = await service.createBatch(WORKSPACE, { conversations: phoneCalls(15) });
    const done = await service.waitForBatch(WORKSPACE, batch.id, 30);
    expect(done?.counts).toMatchObject({ ENDED: 15 });

    const stats = harness.stats();
    expect(stats.created).toBe(15);
    expect(stats.duplicateRequestIds).toEqual([]);
    // One refused burst of 15 (all-or-nothing), then a probe, then bursts sized by the headers.
    expect(stats.rejected429).toBe(1);
    const budget = await findBudget(target.db, harness.budgetKey);
    expect(budget).toMatchObject({ configuredLimit: 20, providerLimit: 5 });
  });
});
