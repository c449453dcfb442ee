import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/simulators/demoAccounts.ts';
import { dropTestSchema, TEST_DATABASE_URL } from '../store/testDatabases.ts';
import { startLiveGateway } from '../sync/liveGateway.ts';
import { subscribe, wsClient } from './wsClient.ts';

interface Change {
  conversationChanged: { conversation: { nativeId: string; provider: string }; changes: string[] };
}

describe.runIf(TEST_DATABASE_URL)('subscriptions across replicas (PostgreSQL)', () => {
  it('a subscriber on one replica sees a change that arrived at the other', async () => {
    const schema = `sb_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const store = { databaseUrl: TEST_DATABASE_URL, schema };
    const a = await startLiveGateway({ store, replicaId: 'replica-a' });
    const b = await startLiveGateway({ store, replicaId: 'replica-b', demo: a.demo });
    try {
      // One endpoint token per workspace, whichever replica made it first.
      expect(await b.runtime.live.webhookToken('demo')).toBe(await a.runtime.live.webhookToken('demo'));
      const client = wsClient(a.origin, 'demo-key');
      const changes = subscribe<Change>(client, 'subscription { conversationChanged { conversation { nativeId provider } changes } }');
      await new Promise((resolve) => setTimeout(resolve, 300)); // subscribed before the change

      const voiceos = b.runtime.registry.get('demo')?.connectors.get('VOICEOS');
      const [conversation] = (await voiceos?.listConversations({ filter: {}, limit: 1 }))?.items ?? [];
      const token = DEMO_ACCOUNTS.voiceos[0].token;
      a.demo.simulators.voiceos?.setAgentWebhooks(token, conversation?.agentRef?.nativeId ?? '', [
        { method: 'POST', url: await b.webhookUrl('demo', 'voiceos'), events: ['conversation:started'] },
      ]);
      await a.demo.simulators.voiceos?.sendHookEvent(token, { type: 'conversation:started', conversationId: conversation?.nativeId ?? '' });

      const events = await changes.until((seen) => seen.length === 1, 10_000);
      expect(events).toEqual([{ conversationChanged: { conversation: { nativeId: conversation?.nativeId, provider: 'VOICEOS' }, changes: ['CREATED'] } }]);
      await changes.close();
      await client.dispose();
    } finally {
      await b.close();
      await a.close();
      await dropTestSchema(schema);
    }
  });
});
