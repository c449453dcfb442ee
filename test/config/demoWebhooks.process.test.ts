import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEYS } from '../../src/demo/demoEnvironment.ts';
import { postBatch, waitForFinalBatch } from '../fanout/batchGraphql.ts';
import { phoneCalls } from '../fanout/fanoutHarness.ts';
import { freePort, spawnGateway, type GatewayProcess } from '../fanout/gatewayProcess.ts';
import { subscribe, wsClient } from '../subscriptions/wsClient.ts';

interface Change {
  conversationChanged: { conversation: { id: string; status: string }; changes: string[] };
}

/**
 * `npm start` without credentials: the in-process simulators send their webhooks to the gateway's
 * own endpoints. With status polls too slow to run and sync off, only a webhook can tell the
 * gateway that a demo call ended, so a batch that ends, and subscribers that see it, prove it.
 */
describe('demo mode: the simulators\' webhooks reach the gateway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-demo-webhooks-'));
  let gateway: GatewayProcess | null = null;
  afterAll(async () => {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends a demo batch through webhooks alone, and subscribers see the calls end', async () => {
    const port = String(await freePort());
    gateway = await spawnGateway({
      env: {
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
        PORT: port,
        SWITCHBOARD_DATA_DIR: join(dir, 'pglite'),
        SWITCHBOARD_DEMO_CALL_SECONDS: '0.5',
        SWITCHBOARD_SYNC: 'false',
        SWITCHBOARD_FANOUT_POLL_MS: '600000',
      },
      apiKey: DEMO_API_KEYS.demo,
    });
    // The line comes right after the port is bound, which is when /health (what spawnGateway waits for) answers.
    const registeredIn = (log: string) =>
      log.split('\n').flatMap((line) => {
        try {
          const entry = JSON.parse(line) as { message?: string; endpoints?: string[] };
          return entry.message === 'demo mode: the simulators send webhooks to this gateway' ? [entry.endpoints] : [];
        } catch {
          return [];
        }
      });
    for (let tries = 0; registeredIn(gateway.log()).length === 0 && tries < 100; tries += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    const registered = registeredIn(gateway.log());
    expect(registered).toEqual([['demo/oration', 'demo/voiceos', 'acme/oration', 'acme/voiceos']]);

    const client = wsClient(`http://127.0.0.1:${port}`, DEMO_API_KEYS.demo);
    const changes = subscribe<Change>(client, 'subscription { conversationChanged { conversation { id status } changes } }');
    try {
      const batch = await postBatch(gateway.query, { conversations: phoneCalls(2, 'demo-webhooks') });
      const final = await waitForFinalBatch(gateway.query, batch.id, 30_000);
      expect(final.counts.total).toBe(2);
      expect(final.counts.ended + final.counts.failed).toBe(2);
      expect(final.counts.created + final.counts.queued + final.counts.dispatching + final.counts.unresolved).toBe(0);

      const finalStatuses = (events: Change[]) => {
        const last = new Map<string, string>();
        for (const { conversationChanged: change } of events) last.set(change.conversation.id, change.conversation.status);
        return [...last.values()];
      };
      const seen = await changes.until((events) => {
        const statuses = finalStatuses(events);
        return statuses.length === 2 && statuses.every((status) => status === 'ENDED' || status === 'FAILED');
      }, 20_000);
      expect(finalStatuses(seen).length).toBe(2);
    } finally {
      await changes.close();
      await client.dispose();
    }
  }, 90_000);
});
