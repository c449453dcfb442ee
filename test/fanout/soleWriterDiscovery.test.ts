import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../src/store/openDatabase.ts';
import { insertBatchWithItems } from '../../src/store/queries/batches.ts';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// A restart that finds unfinished work looks for work every second; on the embedded store nothing
// else can add any, yet it went on looking after the work was done, so the store's process never
// went idle again (a helper's probe: alive 16 minutes later, one query a second).
describe('the fan-out on an embedded store with work pending at start', { timeout: 90_000 }, () => {
  it('stops looking for work once none is left, so the store goes idle', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'switchboard-sole-writer-'));
    cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
    const dataDir = join(parent, 'pglite');
    const seeded = await openDatabase({ dataDir });
    await seeded.transaction((tx) =>
      insertBatchWithItems(tx, {
        id: randomUUID(),
        workspaceId: 'demo',
        idempotencyKey: null,
        requestHash: 'hash',
        createdAt: new Date(),
        items: [
          {
            index: 0,
            requestId: randomUUID(),
            provider: 'ORATION',
            budgetKey: 'ORATION:demo-oration-workspace',
            agentNativeId: 'agent-that-does-not-exist',
            channel: 'PHONE_OUTBOUND',
            toNumber: '+15550000001',
            sipTrunkAddress: null,
            dynamicVariables: {},
            prospect: null,
          },
        ],
      }),
    );
    await seeded.close();

    // An idle time longer than the look for work's interval (1 s): only an end to the looking lets it stop.
    const gw: TestGateway = await startTestGateway({ SWITCHBOARD_STORE_IDLE_MS: '2500' }, { store: { dataDir } });
    cleanups.push(() => gw.close());
    expect(gw.runtime.database.pendingWorkAtStart).toBe(true);
    const active = async () =>
      (await gw.runtime.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM batch_items WHERE state IN ('QUEUED', 'DISPATCHING', 'CREATED')`)).rows[0]?.n;
    await vi.waitFor(async () => expect(await active()).toBe(0), { timeout: 30_000, interval: 200 });
    await vi.waitFor(() => expect(gw.runtime.database.isRunning?.()).toBe(false), { timeout: 15_000, interval: 100 });
  });
});
