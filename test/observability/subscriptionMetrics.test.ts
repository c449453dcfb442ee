import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveGateway, type LiveGateway } from '../sync/liveGateway.ts';
import { subscribe, wsClient } from '../subscriptions/wsClient.ts';
import { parsePrometheusText, valueOf } from './prometheusText.ts';

const CHANGES = /* GraphQL */ `
  subscription Changes { conversationChanged { conversation { id agent { name } } changes } }
`;
interface Change {
  conversationChanged: { conversation: { id: string; agent: { name: string | null } | null }; changes: string[] };
}

/** The loader batches of subscription events are in /metrics, as those of HTTP operations are. */
describe('loader metrics of subscription events', () => {
  let gateway: LiveGateway;
  beforeAll(async () => {
    gateway = await startLiveGateway();
  });
  afterAll(async () => {
    await gateway.close();
  });

  const agentBatches = async () => {
    const samples = parsePrometheusText(await (await fetch(`${gateway.origin}/metrics`)).text());
    return {
      count: valueOf(samples, 'switchboard_dataloader_batch_size_count', { loader: 'agent' }) ?? 0,
      sum: valueOf(samples, 'switchboard_dataloader_batch_size_sum', { loader: 'agent' }) ?? 0,
    };
  };

  it('counts the agent batch an event\'s selection loads', async () => {
    const trata = gateway.runtime.registry.get('demo')?.connectors.get('TRATA');
    const page = await trata!.listConversations({ filter: {}, after: null, limit: 1 });
    const conversation = page.items[0]!;
    expect(conversation.agentRef?.provider).toBe('TRATA');
    expect(await agentBatches()).toEqual({ count: 0, sum: 0 });

    const client = wsClient(gateway.origin, 'demo-key');
    const changes = subscribe<Change>(client, CHANGES);
    try {
      // The subscription is open once the server counts it; then one stored change reaches it.
      for (let wait = 0; gateway.runtime.live.subscriptions.stats().open < 1 && wait < 200; wait += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await gateway.runtime.live.writer.writeConversations('demo', 'TRATA', [conversation])).toBe(1);
      const [event] = await changes.until((events) => events.length === 1);
      expect(event?.conversationChanged.changes).toEqual(['CREATED']);
      expect(event?.conversationChanged.conversation.agent).not.toBeNull();
      expect(await agentBatches()).toEqual({ count: 1, sum: 1 });
    } finally {
      await changes.close();
      await client.dispose();
    }
  });
});
