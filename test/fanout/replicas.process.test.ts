import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrationSimulator, type OrationSimulator } from '../../src/simulators/oration/orationSimulator.ts';
import type { Database } from '../../src/store/database.ts';
import { openDatabase } from '../../src/store/openDatabase.ts';
import { dropTestSchema, TEST_DATABASE_URL } from '../store/testDatabases.ts';
import { postBatch, readBatch, waitForFinalBatch } from './batchGraphql.ts';
import { consistentVerdicts, verdictsOf, type ReconciledRow } from './reconcileVerdicts.ts';
import { DEMO_ACCOUNT, phoneCalls } from './fanoutHarness.ts';
import { freePort, SHORT_ANSWERED_CALLS as CALLS, spawnGateway, writeWorkspacesFile, type GatewayProcess } from './gatewayProcess.ts';

const ITEMS = 60;
const LIMIT = 6;
const API_KEY = 'replica-test-key-0123456789';
const CREATE = 'POST /api/v2/conversations';
/** A create answered late, but within the upstream timeout: the one a replica dies waiting for. */
const SLOW_CREATE_MS = 1_500;


/**
 * Two gateway processes on one PostgreSQL database (a schema of the test's own, dropped at the
 * end) share one Oration account. Runs only with TEST_DATABASE_URL.
 */
describe.skipIf(!TEST_DATABASE_URL)('two gateway replicas as processes on PostgreSQL (TEST_DATABASE_URL)', () => {
  const schema = `sb_replicas_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let simulator: OrationSimulator;
  let dir: string;
  let db: Database;
  const replicas = new Map<string, GatewayProcess>();

  beforeAll(async () => {
    simulator = createOrationSimulator({ concurrencyLimit: LIMIT, lifecycle: CALLS, historicConversations: 10, seed: 7 });
    const simulatorUrl = await simulator.listen(0);
    dir = mkdtempSync(join(tmpdir(), 'switchboard-replicas-'));
    const workspacesFile = writeWorkspacesFile(join(dir, 'workspaces.json'), [
      {
        id: 'replicas',
        apiKeys: [API_KEY],
        providers: {
          oration: { baseUrl: `${simulatorUrl}/api/v2`, apiKey: DEMO_ACCOUNT.apiKey, workspaceId: DEMO_ACCOUNT.workspaceId, concurrencyLimit: LIMIT },
        },
      },
    ]);
    const start = async (replicaId: string) => {
      const env = {
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        PORT: String(await freePort()),
        SWITCHBOARD_WORKSPACES_FILE: workspacesFile,
        DATABASE_URL: TEST_DATABASE_URL,
        SWITCHBOARD_DATABASE_SCHEMA: schema,
        SWITCHBOARD_REPLICA_ID: replicaId,
        // A dead replica's leases run out after 3 s; they must outlast the window in which a
        // create can still land (300 send window + 2000 timeout + 500 provider settle).
        SWITCHBOARD_UPSTREAM_TIMEOUT_MS: '2000',
        SWITCHBOARD_FANOUT_SEND_WINDOW_MS: '300',
        SWITCHBOARD_FANOUT_PROVIDER_SETTLE_MS: '500',
        SWITCHBOARD_FANOUT_LEASE_MS: '3000',
        SWITCHBOARD_FANOUT_POLL_MS: '100',
        SWITCHBOARD_FANOUT_DISCOVERY_MS: '200',
      };
      replicas.set(replicaId, await spawnGateway({ env, apiKey: API_KEY }));
    };
    await Promise.all([start('replica-a'), start('replica-b')]);
    db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, schema });
  });

  afterAll(async () => {
    await Promise.all([...replicas.values()].map((replica) => replica.kill()));
    await db?.close();
    await simulator?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await dropTestSchema(schema);
  });

  const replica = (id: string) => {
    const found = replicas.get(id);
    if (!found) throw new Error(`no replica ${id}`);
    return found;
  };
  const stats = () => simulator.budgetStats()[DEMO_ACCOUNT.workspaceId]!;
  const waitFor = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  it('share batches and one budget; a replica killed mid-dispatch leaves nothing stuck', async () => {
    const batch = await postBatch(replica('replica-a').query, { conversations: phoneCalls(ITEMS, 'replicas') });
    // Any replica serves any batch: the store is shared.
    const seenFromB = await readBatch(replica('replica-b').query, batch.id);
    expect(seenFromB).toMatchObject({ id: batch.id, counts: { total: ITEMS } });

    // Slow one create down, and kill the replica that sent it while its answer is on the way.
    await waitFor('a third of the batch', () => stats().created >= ITEMS / 3);
    const sent = simulator.server.count(CREATE);
    simulator.server.setFault(CREATE, { kind: 'slow', delayMs: SLOW_CREATE_MS, times: 1 });
    await waitFor('the slowed create to reach the provider', () => simulator.server.count(CREATE) > sent);
    // Other creates are answered within milliseconds: soon only the slowed burst is in flight.
    let inFlight: { request_id: string; lease_owner: string }[] = [];
    await waitFor('only the slowed burst in flight', async () => {
      ({ rows: inFlight } = await db.query<{ request_id: string; lease_owner: string }>(
        `SELECT request_id, lease_owner FROM batch_items WHERE state = 'DISPATCHING'`,
      ));
      return inFlight.length > 0 && new Set(inFlight.map((row) => row.lease_owner)).size === 1;
    });
    const victim = inFlight[0]?.lease_owner;
    const survivor = victim === 'replica-a' ? 'replica-b' : 'replica-a';
    await replica(victim ?? '').kill();
    // What the victim left behind, read after the kill (its leases outlive this read by seconds):
    // the slowed burst, and anything it claimed between the snapshot above and its death.
    const { rows: stranded } = await db.query<{ request_id: string }>(
      `SELECT request_id FROM batch_items WHERE state = 'DISPATCHING' AND lease_owner = $1`,
      [victim],
    );

    // The survivor finishes: it polls the victim's conversations, and reconciles its stranded
    // burst once the leases run out (the provider did create it, after the victim died).
    const done = await waitForFinalBatch(replica(survivor).query, batch.id, 40_000);
    expect(done.status).toBe('COMPLETED');
    expect(done.counts).toMatchObject({ total: ITEMS, ended: ITEMS, created: 0, dispatching: 0, queued: 0, unresolved: 0 });

    const figures = stats();
    expect(figures.created).toBe(ITEMS);
    expect(figures.duplicateRequestIds).toEqual([]);
    expect(figures.peak).toBeLessThanOrEqual(LIMIT);
    // One budget counted under one lock by both replicas: the provider never had to refuse.
    expect(figures.rejected429).toBe(0);
    expect(figures.held).toBe(0);

    const { rows } = await db.query<ReconciledRow & { dispatched_by: string }>(
      'SELECT request_id, reconciled_outcome, attempts, dispatched_by FROM batch_items',
    );
    // Reconciliation settled exactly what the victim left, each item by what the provider held.
    const verdicts = verdictsOf(rows);
    expect(verdicts.map(([requestId]) => requestId)).toEqual(stranded.map((row) => row.request_id).sort());
    expect(verdicts).toEqual(consistentVerdicts(rows));
    // The slowed burst reached the provider before the kill and was created after it: found, not dialed again.
    const slowedBurst = new Set(inFlight.map((row) => row.request_id));
    expect(verdicts.filter(([requestId, outcome]) => slowedBurst.has(requestId) && outcome === 'FOUND').length).toBeGreaterThan(0);
    // Both replicas did part of the work.
    expect(new Set(rows.map((row) => row.dispatched_by))).toEqual(new Set(['replica-a', 'replica-b']));
  }, 90_000);
});
