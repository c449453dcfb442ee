import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLiveGateway, type LiveGateway } from '../sync/liveGateway.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Opening PGlite costs the gateway 70-100 MiB for the rest of its life (BENCHMARKS.md, idle
// memory), so an idle gateway keeps the embedded store closed until something needs it. Issue 9's
// second finding came back when the live services made every workspace's webhook token at start.
describe('the embedded store in a data directory', { timeout: 60_000 }, () => {
  it('stays closed through start-up and opens on the first request that needs it', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'switchboard-on-demand-'));
    cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
    const gateway: LiveGateway = await startLiveGateway({ store: { dataDir: join(parent, 'pglite') } });
    cleanups.push(() => gateway.close());

    expect(gateway.runtime.database.isOpenInProcess?.()).toBe(false);
    // Readiness probes and metric scrapes do not open it either.
    for (const path of ['/readyz', '/metrics']) expect((await fetch(`${gateway.origin}${path}`)).status).toBe(200);
    expect(gateway.runtime.database.isOpenInProcess?.()).toBe(false);

    const { data } = await gateway.query<{ webhookEndpoints: { provider: string }[] }>('{ webhookEndpoints { provider } }');
    expect(data?.webhookEndpoints.map((endpoint) => endpoint.provider)).toEqual(['ORATION', 'TRATA', 'VOICEOS']);
    expect(gateway.runtime.database.isOpenInProcess?.()).toBe(true);
  });

  it('stays closed through a shutdown that follows no use of it', async () => {
    // Found by the read-path benchmark's profile: the sync service's stop released its account
    // leases in a store it had never opened, which started PGlite only to shut it down.
    const parent = mkdtempSync(join(tmpdir(), 'switchboard-on-demand-'));
    cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
    const gateway: LiveGateway = await startLiveGateway({ store: { dataDir: join(parent, 'pglite') } });
    expect((await gateway.query<{ agents: { totalCount: number } }>('{ agents(first: 1) { totalCount } }')).errors).toBeUndefined();
    await gateway.close();
    expect(gateway.runtime.database.isOpenInProcess?.()).toBe(false);
  });
});
