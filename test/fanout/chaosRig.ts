/**
 * The crash-test rig of the fan-out's chaos tests (`chaos.*.process.test.ts`): a gateway process on
 * one store, SIGKILLed and restarted at will, against an Oration simulator living in the test process.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderDispatcher } from '../../src/providers/http.ts';
import { createOrationConnector } from '../../src/providers/oration/orationConnector.ts';
import { createOrationSimulator, type OrationSimulator } from '../../src/simulators/oration/orationSimulator.ts';
import type { Fault } from '../../src/simulators/shared/simulatorServer.ts';
import { SeededRandom } from '../../src/simulators/shared/random.ts';
import { openDatabase } from '../../src/store/openDatabase.ts';
import { dropTestSchema, TEST_DATABASE_URL } from '../store/testDatabases.ts';
import { postBatch, waitForFinalBatch, type BatchSummary } from './batchGraphql.ts';
import { DEMO_ACCOUNT, phoneCalls } from './fanoutHarness.ts';
import { freePort, SHORT_ANSWERED_CALLS, spawnGateway, writeWorkspacesFile, type GatewayProcess } from './gatewayProcess.ts';
import { readStoppedStore } from './stoppedStore.ts';

export const CREATE = 'POST /api/v2/conversations';
export const API_KEY = 'chaos-test-key-0123456789';
export const LIMIT = 5;
const KILLS = 20;
const ITEMS_PER_BATCH = 25;
/**
 * The gateway's upstream timeout in the chaos rounds; slow creates answer just under it. Longer
 * than a restart takes, so a create sent before a kill lands after the restarted gateway is up:
 * a gateway that looked it up too early would requeue it and dial twice (the old 5 s grace did).
 */
const TIMEOUT_MS = 8_000;
/** How long the simulator may still carry out a create after the gateway gave up (the assumption). */
const SETTLE_MS = 1_000;

export interface StoredItem {
  request_id: string;
  state: string;
  conversation_native_id: string | null;
}

/** A gateway process on one store, restarted at will; the simulator lives in the test process. */
export interface Rig {
  simulator: OrationSimulator;
  env: Record<string, string>;
  readItems(): Promise<StoredItem[]>;
  dispose(): Promise<void>;
}

export type StoreKind = 'PGlite' | 'PostgreSQL';

export async function startRig(kind: StoreKind, timing: Record<string, string>): Promise<Rig> {
  const simulator = createOrationSimulator({ concurrencyLimit: LIMIT, lifecycle: SHORT_ANSWERED_CALLS, historicConversations: 5, seed: 7 });
  const simulatorUrl = await simulator.listen(0);
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-chaos-'));
  const schema = `sb_chaos_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const workspacesFile = writeWorkspacesFile(join(dir, 'workspaces.json'), [
    {
      id: 'chaos',
      apiKeys: [API_KEY],
      providers: {
        oration: { baseUrl: `${simulatorUrl}/api/v2`, apiKey: DEMO_ACCOUNT.apiKey, workspaceId: DEMO_ACCOUNT.workspaceId, concurrencyLimit: LIMIT },
      },
    },
  ]);
  const dataDir = join(dir, 'pglite');
  const store: Record<string, string> =
    kind === 'PGlite' ? { SWITCHBOARD_DATA_DIR: dataDir } : { DATABASE_URL: TEST_DATABASE_URL, SWITCHBOARD_DATABASE_SCHEMA: schema };
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    PORT: String(await freePort()),
    SWITCHBOARD_WORKSPACES_FILE: workspacesFile,
    // The same replica on every restart: it reconciles its own leftovers once no create can land.
    SWITCHBOARD_REPLICA_ID: 'chaos-replica',
    SWITCHBOARD_FANOUT_POLL_MS: '100',
    SWITCHBOARD_FANOUT_DISCOVERY_MS: '200',
    ...store,
    ...timing,
  };
  return {
    simulator,
    env,
    async readItems() {
      const sql = 'SELECT request_id, state, conversation_native_id FROM batch_items';
      // Only while no gateway runs: the embedded store admits one process at a time.
      if (kind === 'PGlite') return readStoppedStore<StoredItem>(dataDir, sql);
      const db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, schema });
      try {
        const { rows } = await db.query<StoredItem>(sql);
        return rows;
      } finally {
        await db.close();
      }
    },
    async dispose() {
      await simulator.close();
      rmSync(dir, { recursive: true, force: true });
      if (kind === 'PostgreSQL') {
        await dropTestSchema(schema);
      }
    },
  };
}

/** The provider's own record: which conversation carries each request id (the tag the gateway sends). */
async function conversationsAtProvider(rig: Rig, requestIds: readonly string[]): Promise<Map<string, string>> {
  const dispatcher = createProviderDispatcher();
  try {
    const connector = createOrationConnector({
      baseUrl: `${rig.simulator.url}/api/v2`,
      credentials: { apiKey: DEMO_ACCOUNT.apiKey, workspaceId: DEMO_ACCOUNT.workspaceId },
      transport: { dispatcher, resilience: null },
      timeoutMs: 10_000,
    });
    if (!connector.creator) throw new Error('the Oration connector has no creator');
    const found = await connector.creator.findConversationsByRequestIds(requestIds, new Date(Date.now() - 3_600_000));
    return new Map([...found].map(([requestId, conversation]) => [requestId, conversation.nativeId]));
  } finally {
    await dispatcher.close();
  }
}

/**
 * Every item is settled: created exactly once at the provider with the conversation the store
 * names, or UNRESOLVED (reported, created at most once); nothing queued or in flight is left, and
 * the provider holds no conversation the store does not know of.
 */
export async function expectEachItemCreatedOnceOrUnresolved(rig: Rig): Promise<StoredItem[]> {
  const stats = rig.simulator.budgetStats()[DEMO_ACCOUNT.workspaceId];
  expect(stats?.duplicateRequestIds).toEqual([]);
  const items = await rig.readItems();
  const atProvider = await conversationsAtProvider(
    rig,
    items.map((item) => item.request_id),
  );
  const settled = items.filter((item) => item.state === 'ENDED' || item.state === 'CREATED');
  const unresolved = items.filter((item) => item.state === 'UNRESOLVED');
  // Nothing lost: every item is settled or reported.
  expect(items.filter((item) => !settled.includes(item) && !unresolved.includes(item))).toEqual([]);
  // Each settled item is the one conversation the provider made for it.
  expect(settled.filter((item) => atProvider.get(item.request_id) !== item.conversation_native_id)).toEqual([]);
  // The provider created nothing beyond what the store accounts for.
  expect(stats?.created).toBe(settled.length + unresolved.filter((item) => atProvider.has(item.request_id)).length);
  return items;
}

/** What the provider does to the next create requests in a chaos round. */
function chaosFault(random: SeededRandom): { name: string; fault: Fault | null } {
  const times = random.int(1, 3);
  const faults: { name: string; fault: Fault | null }[] = [
    { name: 'none', fault: null },
    { name: 'slow create, just under the timeout', fault: { kind: 'slow', delayMs: Math.round(TIMEOUT_MS * (0.6 + 0.35 * random.next())), times } },
    { name: 'timeout, created', fault: { kind: 'timeout', afterHandling: true, times } },
    // Carried out after the gateway gave up, within the settle time the protocol assumes.
    { name: 'created after the timeout', fault: { kind: 'slow', delayMs: TIMEOUT_MS + Math.round(SETTLE_MS * 0.8), times } },
    { name: 'timeout, nothing created', fault: { kind: 'timeout', times } },
    { name: 'reset, created', fault: { kind: 'reset', afterHandling: true, times } },
    { name: 'reset, nothing created', fault: { kind: 'reset', times } },
    { name: '429 storm', fault: { kind: 'rateLimit', retryAfterSeconds: 1, times: times + 3 } },
    { name: '503', fault: { kind: 'status', status: 503, times } },
  ];
  return random.pick(faults);
}

/**
 * The chaos rounds on one store: KILLS seeded SIGKILLs of the gateway while batches run and the
 * provider misbehaves. One test file per store, so the two can run in parallel workers.
 */
export function describeChaos(kind: StoreKind): void {
  describe.skipIf(kind === 'PostgreSQL' && !TEST_DATABASE_URL)(`chaos: ${KILLS} seeded SIGKILLs during batches under provider faults (${kind})`, () => {
    let rig: Rig;
    let gateway: GatewayProcess | null = null;
    beforeAll(async () => {
      rig = await startRig(kind, {
        SWITCHBOARD_UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
        SWITCHBOARD_FANOUT_SEND_WINDOW_MS: '300',
        SWITCHBOARD_FANOUT_PROVIDER_SETTLE_MS: String(SETTLE_MS),
        SWITCHBOARD_FANOUT_LEASE_MS: '12000',
      });
    });
    afterAll(async () => {
      await gateway?.kill();
      await rig?.dispose();
    });

    it('ends with every item created exactly once or reported UNRESOLVED, none lost', async () => {
      const random = new SeededRandom(kind === 'PGlite' ? 20_261_129 : 20_261_130);
      const batches: BatchSummary[] = [];
      const rounds: string[] = [];
      gateway = await spawnGateway({ env: rig.env, apiKey: API_KEY });
      for (let kill = 0; kill < KILLS; kill++) {
        // A new batch every few kills, so kills land early, midway and late in batches.
        if (kill % 5 === 0) {
          const input = { conversations: phoneCalls(ITEMS_PER_BATCH, `chaos-${kill}`), idempotencyKey: `chaos-${kind}-${kill}` };
          batches.push(await postBatch(gateway.query, input));
        }
        const { name, fault } = chaosFault(random);
        rig.simulator.server.setFault(CREATE, fault);
        const waitMs = random.int(100, 1_500);
        rounds.push(`${name} / kill after ${waitMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        await gateway.kill();
        rig.simulator.server.setFault(CREATE, null);
        gateway = await spawnGateway({ env: rig.env, apiKey: API_KEY });
      }

      for (const batch of batches) {
        const done = await waitForFinalBatch(gateway.query, batch.id, 90_000);
        expect(done.counts.queued + done.counts.dispatching + done.counts.created, `batch ${batch.id} after ${rounds.join('; ')}`).toBe(0);
      }
      await gateway.kill();
      gateway = null;
      const items = await expectEachItemCreatedOnceOrUnresolved(rig);
      expect(items).toHaveLength(batches.length * ITEMS_PER_BATCH);
      const stats = rig.simulator.budgetStats()[DEMO_ACCOUNT.workspaceId];
      // Items in flight hold their slots across every crash, so the budget was never exceeded.
      expect(stats?.peak).toBeLessThanOrEqual(LIMIT);
    }, 400_000);
  });
}

export async function waitUntil(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
