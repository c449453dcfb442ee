import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLiveGateway, type LiveGateway } from '../sync/liveGateway.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const waitFor = async (what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

// PGlite's memory, once touched, stays with the process that opened it (BENCHMARKS.md, idle
// memory), so the embedded store runs in a process of its own that is there only while it is used.
// Issue 9's second finding came back when the live services made every workspace's webhook token
// at start, and the sync pass kept the store open for good once it had run.
describe('the embedded store in a data directory', { timeout: 60_000 }, () => {
  it('is not running after start-up, starts on the first request that needs it, and stops once idle', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'switchboard-on-demand-'));
    cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
    const gateway: LiveGateway = await startLiveGateway({ store: { dataDir: join(parent, 'pglite') }, env: { SWITCHBOARD_STORE_IDLE_MS: '300' } });
    cleanups.push(() => gateway.close());
    const storeProcessGauge = async () => /^switchboard_store_process_running (\d)$/m.exec(await (await fetch(`${gateway.origin}/metrics`)).text())?.[1];

    expect(gateway.runtime.database.isRunning?.()).toBe(false);
    // Readiness probes and metric scrapes do not start it either; the gauge says it is stopped.
    expect((await fetch(`${gateway.origin}/readyz`)).status).toBe(200);
    expect(await storeProcessGauge()).toBe('0');
    expect(gateway.runtime.database.isRunning?.()).toBe(false);

    const endpoints = async () =>
      (await gateway.query<{ webhookEndpoints: { provider: string; path: string }[] }>('{ webhookEndpoints { provider path } }')).data?.webhookEndpoints;
    const first = await endpoints();
    expect(first?.map((endpoint) => endpoint.provider)).toEqual(['ORATION', 'TRATA', 'VOICEOS']);
    expect(gateway.runtime.database.isRunning?.()).toBe(true);
    expect(await storeProcessGauge()).toBe('1');

    await waitFor('the idle store to stop', () => gateway.runtime.database.isRunning?.() === false);
    // Started again by the next request that reads it.
    const { data } = await gateway.query<{ syncStatus: { provider: string }[] }>('{ syncStatus { provider } }');
    expect(data?.syncStatus.map((account) => account.provider)).toEqual(['ORATION', 'TRATA', 'VOICEOS']);
    expect(gateway.runtime.database.isRunning?.()).toBe(true);
  });

  it('is not started by a shutdown that follows no use of it', async () => {
    // Found by the read-path benchmark's profile: the sync service's stop released its account
    // leases in a store it had never opened, which started PGlite only to shut it down.
    const parent = mkdtempSync(join(tmpdir(), 'switchboard-on-demand-'));
    cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
    const gateway: LiveGateway = await startLiveGateway({ store: { dataDir: join(parent, 'pglite') } });
    expect((await gateway.query<{ agents: { totalCount: number } }>('{ agents(first: 1) { totalCount } }')).errors).toBeUndefined();
    await gateway.close();
    expect(gateway.runtime.database.usedSinceStart?.()).toBe(false);
    expect(gateway.runtime.database.isRunning?.()).toBe(false);
  });
});
