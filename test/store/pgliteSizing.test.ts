import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/openDatabase.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// PGlite's default 128 MB buffer pool was most of the gateway's idle memory (BENCHMARKS.md).
describe('the embedded store is sized for the fan-out', { timeout: 60_000 }, () => {
  it('runs a new data directory with a 16 MB buffer pool, and keeps what it wrote across a reopen', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'switchboard-sizing-')), 'pglite');
    dirs.push(dir);
    const created = await openDatabase({ dataDir: dir });
    expect(created.opened).toBe('new');
    const settings = await created.query<{ shared_buffers: string; wal_buffers: string }>(
      "select current_setting('shared_buffers') as shared_buffers, current_setting('wal_buffers') as wal_buffers",
    );
    expect(settings.rows).toEqual([{ shared_buffers: '16MB', wal_buffers: '1MB' }]);
    await created.exec('create table kept (n int); insert into kept values (7)');
    await created.close();

    const reopened = await openDatabase({ dataDir: dir });
    expect(reopened.opened).toBe('existing');
    expect((await reopened.query<{ n: number }>('select n from kept')).rows).toEqual([{ n: 7 }]);
    await reopened.close();
  });
});
