import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { openDatabase } from '../../src/store/openDatabase.ts';
import { insertBatchWithItems } from '../../src/store/queries/batches.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const newDataDir = () => {
  const parent = mkdtempSync(join(tmpdir(), 'switchboard-startup-'));
  dirs.push(parent);
  return join(parent, 'pglite');
};

// PGlite's default 128 MB buffer pool, its initdb and the start-up look for work were most of the
// gateway's idle memory (issue 9, BENCHMARKS.md); none of it may cost a byte of what is stored.
describe('the embedded store at start-up', { timeout: 60_000 }, () => {
  it('is created and migrated before the gateway opens it, and runs with a 16 MB buffer pool', async () => {
    const created = await openDatabase({ dataDir: newDataDir() });
    expect(created).toMatchObject({ opened: 'new', migrated: true, pendingWorkAtStart: false });
    const versions = await created.query<{ version: number }>('SELECT version FROM switchboard_migrations ORDER BY version');
    expect(versions.rows.map((row) => row.version)).toEqual(MIGRATIONS.map((migration) => migration.version));
    const settings = await created.query<{ shared_buffers: string; wal_buffers: string }>(
      "select current_setting('shared_buffers') as shared_buffers, current_setting('wal_buffers') as wal_buffers",
    );
    expect(settings.rows).toEqual([{ shared_buffers: '16MB', wal_buffers: '1MB' }]);
    await created.close();
  });

  it('says whether an unfinished batch item waits, and keeps every batch across a reopen', async () => {
    const dir = newDataDir();
    const first = await openDatabase({ dataDir: dir });
    const batchId = randomUUID();
    await first.transaction((tx) =>
      insertBatchWithItems(tx, {
        id: batchId,
        workspaceId: 'demo',
        idempotencyKey: null,
        requestHash: 'hash',
        createdAt: new Date('2026-11-20T10:00:00.000Z'),
        items: [
          {
            index: 0,
            requestId: randomUUID(),
            provider: 'ORATION',
            budgetKey: 'ORATION:demo-oration-workspace',
            agentNativeId: 'agent-1',
            channel: 'PHONE_OUTBOUND',
            toNumber: '+15550000001',
            sipTrunkAddress: null,
            dynamicVariables: {},
            prospect: null,
          },
        ],
      }),
    );
    await first.close();

    const reopened = await openDatabase({ dataDir: dir });
    expect(reopened).toMatchObject({ opened: 'existing', migrated: true, pendingWorkAtStart: true });
    const items = await reopened.query<{ batch_id: string; state: string }>('SELECT batch_id, state FROM batch_items');
    expect(items.rows).toEqual([{ batch_id: batchId, state: 'QUEUED' }]);
    await reopened.exec(`UPDATE batch_items SET state = 'CANCELLED'`);
    await reopened.close();

    const idle = await openDatabase({ dataDir: dir });
    expect(idle).toMatchObject({ opened: 'existing', pendingWorkAtStart: false });
    expect((await idle.query<{ state: string }>('SELECT state FROM batch_items')).rows).toEqual([{ state: 'CANCELLED' }]);
    await idle.close();
  });
});
