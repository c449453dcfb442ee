import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrationSimulator, type OrationSimulator } from '../../src/simulators/oration/orationSimulator.ts';
import { SeededRandom } from '../../src/simulators/shared/random.ts';
import { postBatch, waitForFinalBatch } from './batchGraphql.ts';
import { consistentVerdicts, verdictsOf } from './reconcileVerdicts.ts';
import { DEMO_ACCOUNT, phoneCalls } from './fanoutHarness.ts';
import { freePort, SHORT_ANSWERED_CALLS as CALLS, spawnGateway, writeWorkspacesFile, type GatewayProcess } from './gatewayProcess.ts';
import { readStoppedStore } from './stoppedStore.ts';

const ITEMS = 120;
const LIMIT = 10;
const SEED = 20_261_121;
const API_KEY = 'crash-test-key-0123456789';
const CREATE = 'POST /api/v2/conversations';
/**
 * How late the provider answers (and carries out) the create caught by the mid-dispatch kill:
 * longer than a restart takes, so a restarted gateway that asked the provider at once would find
 * nothing, requeue the burst and dial it twice. The reconcile grace is what prevents that.
 */
const SLOW_CREATE_MS = 6_000;


/**
 * The gateway as production runs it, in its own process on a PGlite data directory, killed with
 * SIGKILL at seeded points of a batch and restarted on the same directory each time. The
 * simulator runs in the test process, so its counters see every process's requests.
 */
describe('crash safety: the gateway process SIGKILLed mid-batch and restarted (PGlite data dir)', () => {
  let simulator: OrationSimulator;
  let dir: string;
  let env: Record<string, string>;
  let gateway: GatewayProcess | null = null;

  beforeAll(async () => {
    simulator = createOrationSimulator({ concurrencyLimit: LIMIT, lifecycle: CALLS, historicConversations: 10, seed: SEED });
    const simulatorUrl = await simulator.listen(0);
    dir = mkdtempSync(join(tmpdir(), 'switchboard-crash-'));
    const workspacesFile = writeWorkspacesFile(join(dir, 'workspaces.json'), [
      {
        id: 'crash',
        apiKeys: [API_KEY],
        providers: {
          oration: {
            baseUrl: `${simulatorUrl}/api/v2`,
            apiKey: DEMO_ACCOUNT.apiKey,
            workspaceId: DEMO_ACCOUNT.workspaceId,
            concurrencyLimit: LIMIT,
          },
        },
      },
    ]);
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(await freePort()),
      SWITCHBOARD_WORKSPACES_FILE: workspacesFile,
      SWITCHBOARD_DATA_DIR: join(dir, 'pglite'),
      // The same replica id on every restart: its leftovers are its own to reconcile at once...
      SWITCHBOARD_REPLICA_ID: 'crash-replica',
      // ...once no create sent before the kill can still land: the slow create is answered inside
      // the timeout, and the derived grace (send window + timeout + settle) covers it.
      SWITCHBOARD_UPSTREAM_TIMEOUT_MS: String(SLOW_CREATE_MS + 500),
      SWITCHBOARD_FANOUT_SEND_WINDOW_MS: '500',
      SWITCHBOARD_FANOUT_PROVIDER_SETTLE_MS: '500',
      SWITCHBOARD_FANOUT_POLL_MS: '100',
      SWITCHBOARD_FANOUT_DISCOVERY_MS: '200',
    };
  });

  afterAll(async () => {
    await gateway?.kill();
    await simulator?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Item states and reconciliation outcomes, read straight from the data directory of a stopped gateway. */
  const readStore = () =>
    readStoppedStore<{ request_id: string; state: string; reconciled_outcome: string | null; attempts: number }>(
      env.SWITCHBOARD_DATA_DIR ?? '',
      'SELECT request_id, state, reconciled_outcome, attempts FROM batch_items',
    );

  const waitFor = async (what: string, check: () => boolean, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; gateway log:\n${gateway?.log() ?? ''}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const created = () => simulator.budgetStats()[DEMO_ACCOUNT.workspaceId]?.created ?? 0;

  it('creates every item exactly once through five SIGKILLs, reconciling what a kill left mid-dispatch', async () => {
    gateway = await spawnGateway({ env, apiKey: API_KEY });
    const input = { conversations: phoneCalls(ITEMS, 'crash'), idempotencyKey: 'crash-campaign' };
    const batch = await postBatch(gateway.query, input);
    expect(batch.counts.total).toBe(ITEMS);

    // Seeded kill points, as counts of conversations the provider has created; the third kill
    // lands while a create is at the provider and its answer is still to come.
    const random = new SeededRandom(SEED);
    const killAt = Array.from({ length: 5 }, (_, round) => Math.round(((round + random.next()) / 5) * (ITEMS - 20)) + 5);
    const midDispatchRound = 2;
    /** Items each kill left DISPATCHING: sent, or about to be, with no answer recorded. */
    const strandedByKill: Set<string>[] = [];

    for (const [round, threshold] of killAt.entries()) {
      await waitFor(`${threshold} conversations created`, () => created() >= threshold);
      if (round === midDispatchRound) {
        const sent = simulator.server.count(CREATE);
        simulator.server.setFault(CREATE, { kind: 'slow', delayMs: SLOW_CREATE_MS, times: 1 });
        await waitFor('a create to reach the provider', () => simulator.server.count(CREATE) > sent);
      }
      await gateway.kill();
      const atKill = await readStore();
      strandedByKill.push(new Set(atKill.filter((item) => item.state === 'DISPATCHING').map((item) => item.request_id)));
      gateway = await spawnGateway({ env, apiKey: API_KEY });
      if (round === 0) {
        // A client retrying its request after the crash gets the same batch, not a second one.
        expect((await postBatch(gateway.query, input)).id).toBe(batch.id);
      }
    }

    const done = await waitForFinalBatch(gateway.query, batch.id, 40_000);
    expect(done.status).toBe('COMPLETED');
    expect(done.counts).toMatchObject({ total: ITEMS, ended: ITEMS, unresolved: 0, failed: 0, dispatching: 0 });
    expect(await gateway.stop()).toBe(0);

    const stats = simulator.budgetStats()[DEMO_ACCOUNT.workspaceId]!;
    expect(stats.created).toBe(ITEMS);
    expect(stats.duplicateRequestIds).toEqual([]);
    expect(stats.peak).toBeLessThanOrEqual(LIMIT);
    // After each restart the store still counts every slot held, so the provider never had to refuse.
    expect(stats.rejected429).toBe(0);

    // Every item a kill left DISPATCHING was settled by reconciliation (found at the provider, or
    // proven absent and requeued), and only those were: nothing was re-sent on a guess.
    const items = await readStore();
    expect(items).toHaveLength(ITEMS);
    expect(items.every((item) => item.state === 'ENDED')).toBe(true);
    const stranded = new Set(strandedByKill.flatMap((ids) => [...ids]));
    const verdicts = verdictsOf(items);
    expect(new Set(verdicts.map(([requestId]) => requestId))).toEqual(stranded);
    expect(verdicts).toEqual(consistentVerdicts(items));
    // The mid-dispatch kill caught the slowed create at the provider; the provider created it after
    // the kill, and the restarted gateway found it by request id and did not send it again. (What
    // else that kill caught, claimed but not yet sent, was rightly found absent and sent once.)
    const slowBurst = strandedByKill[midDispatchRound] ?? new Set<string>();
    expect(verdicts.filter(([requestId, outcome]) => slowBurst.has(requestId) && outcome === 'FOUND').length).toBeGreaterThan(0);
  }, 240_000);
});
