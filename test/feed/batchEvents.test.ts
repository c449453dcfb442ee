import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/feed/changeEvent.ts';
import { postBatch, readBatch } from '../fanout/batchGraphql.ts';
import { phoneCalls } from '../fanout/fanoutHarness.ts';
import { startLiveGateway, type LiveGateway } from '../sync/liveGateway.ts';

const POLL_MS = 50;

/**
 * "A write that changed nothing notifies nobody": a status poll that ends no item has no new
 * batch counts, so it must not publish a batch event (each one is a NOTIFY on PostgreSQL and a
 * message to every batchProgress subscriber, every poll interval).
 */
describe('batch events from status polls', () => {
  let gateway: LiveGateway;
  beforeAll(async () => {
    // Calls of a minute: they stay CREATED for the whole test, polled every 50 ms.
    gateway = await startLiveGateway({ env: { SWITCHBOARD_DEMO_CALL_SECONDS: '60' }, fanoutTiming: { pollIntervalMs: POLL_MS } });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('publishes none while no item of the batch ends', async () => {
    const query = async <T>(text: string, variables?: Record<string, unknown>) => ({ status: 200, body: (await gateway.query<T>(text, variables)) as { data?: T } });
    const batch = await postBatch(query, { conversations: phoneCalls(2, 'long') });
    const deadline = Date.now() + 20_000;
    while ((await readBatch(query, batch.id)).counts.created < 2) {
      if (Date.now() > deadline) throw new Error('the calls were not created');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const batchEvents: ChangeEvent[] = [];
    const unsubscribe = gateway.runtime.live.feed.subscribe((event) => {
      if (event.type === 'batch') batchEvents.push(event);
    });
    // Ten poll rounds in which both calls are still dialing or talking.
    await new Promise((resolve) => setTimeout(resolve, POLL_MS * 10));
    unsubscribe();
    expect((await readBatch(query, batch.id)).counts.created).toBe(2);
    expect(batchEvents).toEqual([]);
  });
});
