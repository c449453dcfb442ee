import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/simulators/demoAccounts.ts';
import { postBatch, readBatch } from '../fanout/batchGraphql.ts';
import { phoneCalls } from '../fanout/fanoutHarness.ts';
import { startLiveGateway, type LiveGateway } from './liveGateway.ts';

describe('a conversation:ended webhook frees its budget slot', () => {
  let gateway: LiveGateway;
  const query = <T>(text: string, variables?: Record<string, unknown>) =>
    gateway.query<T>(text, variables).then((body) => ({ status: 200, body: body as { data?: T } }));

  beforeAll(async () => {
    // A status poll so slow it never runs during the test: only webhooks can end the conversations.
    gateway = await startLiveGateway({ fanoutTiming: { pollIntervalMs: 600_000 } });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('ends items (and frees slots) without a poll; nothing is requeued or sent twice', async () => {
    const oration = gateway.demo.simulators.oration;
    oration?.setWebhookTarget(DEMO_ACCOUNTS.oration[0].workspaceId, { url: await gateway.webhookUrl('demo', 'oration'), duplicates: true });
    oration?.setConcurrencyLimit(DEMO_ACCOUNTS.oration[0].workspaceId, 2);
    const batch = await postBatch(query, { conversations: phoneCalls(4, 'release') });
    const deadline = Date.now() + 20_000;
    let current = await readBatch(query, batch.id);
    while (current.status !== 'COMPLETED' && current.status !== 'COMPLETED_WITH_ERRORS' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      current = await readBatch(query, batch.id);
    }
    // With 2 slots, items 3 and 4 could only be sent once webhooks freed the first two.
    expect(current.counts).toEqual({ total: 4, queued: 0, dispatching: 0, created: 0, ended: 4, failed: 0, cancelled: 0, unresolved: 0 });
    const stats = oration?.budgetStats()[DEMO_ACCOUNTS.oration[0].workspaceId];
    expect(stats?.created).toBe(4);
    expect(stats?.duplicateRequestIds).toEqual([]);
  }, 30_000);
});
