import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEYS } from '../../src/demo/demoEnvironment.ts';
import { demoSimulatorStateDir } from '../../src/demo/demoStateDir.ts';
import { DEMO_ACCOUNTS } from '../../src/simulators/demoAccounts.ts';
import { ORATION_JOURNAL_FILE } from '../../src/simulators/oration/orationJournal.ts';
import { postBatch, readBatch, waitForFinalBatch } from './batchGraphql.ts';
import { phoneCalls } from './fanoutHarness.ts';
import { freePort, spawnGateway, type GatewayProcess } from './gatewayProcess.ts';
import { readStoppedStore } from './stoppedStore.ts';

const ITEMS = 60;
/** The demo account's budget: the first burst fills it. */
const DEMO_LIMIT = 20;
const [DEMO_ORATION] = DEMO_ACCOUNTS.oration;

interface JournalConversation {
  id: string;
  requestId: string;
}

/** The conversations the demo's Oration simulator has created, as its journal on disk holds them. */
function journaledConversations(journalPath: string): JournalConversation[] {
  if (!existsSync(journalPath)) return [];
  return readFileSync(journalPath, 'utf8')
    .split('\n')
    .filter((line) => line.endsWith('}'))
    .flatMap((line) => {
      const entry = JSON.parse(line) as { workspaceId: string; conversations: { input: { id: string; dynamicVariables: Record<string, unknown> } }[] };
      if (entry.workspaceId !== DEMO_ORATION.workspaceId) return [];
      return entry.conversations.map(({ input }) => ({ id: input.id, requestId: String(input.dynamicVariables.switchboardRequestId) }));
    });
}

/**
 * Demo mode as `npm start` runs it (no workspaces file: the simulators live in the gateway
 * process), SIGKILLed while a batch's calls are in flight and restarted on the same data
 * directory. The calls placed before the kill must go on at the restarted simulator and end; no
 * id may be handed out twice; nothing may be dialed twice.
 */
describe('demo mode: the gateway with its simulators SIGKILLed mid-batch and restarted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-demo-restart-'));
  const dataDir = join(dir, 'pglite');
  const journalPath = join(demoSimulatorStateDir(dataDir) ?? dir, ORATION_JOURNAL_FILE);
  let gateway: GatewayProcess | null = null;

  afterAll(async () => {
    await gateway?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the batch with every item created exactly once and every conversation id unique', async () => {
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(await freePort()),
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_REPLICA_ID: 'demo-replica',
      SWITCHBOARD_DEMO_CALL_SECONDS: '1',
      SWITCHBOARD_FANOUT_POLL_MS: '100',
      SWITCHBOARD_FANOUT_DISCOVERY_MS: '200',
    };
    gateway = await spawnGateway({ env, apiKey: DEMO_API_KEYS.demo });
    const batch = await postBatch(gateway.query, { conversations: phoneCalls(ITEMS, 'demo-restart'), idempotencyKey: 'demo-restart' });
    expect(batch.counts.total).toBe(ITEMS);

    // Kill once the first burst is placed: every slot of the account is a call in flight.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { counts } = await readBatch(gateway.query, batch.id);
      if (counts.created + counts.ended >= DEMO_LIMIT) break;
      if (Date.now() > deadline) throw new Error(`the first burst was not placed in time; gateway log:\n${gateway.log()}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await gateway.kill();
    const beforeKill = journaledConversations(journalPath);

    gateway = await spawnGateway({ env, apiKey: DEMO_API_KEYS.demo });
    const done = await waitForFinalBatch(gateway.query, batch.id, 60_000);
    expect(done.status).toBe('COMPLETED');
    expect(done.counts).toEqual({ total: ITEMS, queued: 0, dispatching: 0, created: 0, ended: ITEMS, failed: 0, cancelled: 0, unresolved: 0 });
    expect(await gateway.stop()).toBe(0);
    gateway = null;

    // The gateway's side: every item ended on a conversation of its own. (Before the simulators kept
    // their state, the restarted one drew the same ids again, and two items shared each one.)
    const items = await readStoppedStore<{ request_id: string; conversation_native_id: string | null; state: string }>(
      dataDir,
      'SELECT request_id, conversation_native_id, state FROM batch_items ORDER BY index',
    );
    expect(items.map((item) => item.state)).toEqual(Array.from({ length: ITEMS }, () => 'ENDED'));
    expect(new Set(items.map((item) => item.conversation_native_id)).size).toBe(ITEMS);

    // The provider's side: one conversation per item, none twice, and no id handed out twice.
    const conversations = journaledConversations(journalPath);
    expect(conversations).toHaveLength(ITEMS);
    expect(new Set(conversations.map((conversation) => conversation.requestId)).size).toBe(ITEMS);
    expect(new Set(conversations.map((conversation) => conversation.id)).size).toBe(ITEMS);
    // The calls placed before the kill kept their ids after the restart...
    expect(beforeKill.length).toBeGreaterThanOrEqual(DEMO_LIMIT);
    expect(conversations.slice(0, beforeKill.length)).toEqual(beforeKill);
    // ...and each item holds the conversation the provider created for its request id.
    const byRequestId = new Map(conversations.map((conversation) => [conversation.requestId, conversation.id]));
    expect(items.map((item) => item.conversation_native_id)).toEqual(items.map((item) => byRequestId.get(item.request_id)));
  }, 150_000);
});
