import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { UnsafeFanoutTimingError } from '../../src/fanout/fanoutTiming.ts';
import { startGatewayRuntime, type GatewayRuntimeOptions } from '../../src/gatewayRuntime.ts';
import { createLogger } from '../../src/logger.ts';
import { openDatabase } from '../../src/store/openDatabase.ts';
import { StartupError } from '../../src/startupErrors.ts';
import { dropTestSchema, TEST_DATABASE_URL } from '../store/testDatabases.ts';

const { env } = loadConfig({ NODE_ENV: 'test', SWITCHBOARD_SYNC: 'false' });
const logLines: string[] = [];
const base: Omit<GatewayRuntimeOptions, 'store'> = { env, workspaces: [], logger: createLogger('warn', (line) => logLines.push(line)), tracing: null };

/** A port some other server holds for the test. */
async function takenPort(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const portOf = (server: Server) => (server.address() as AddressInfo).port;

/** A start that fails half-way closes what it opened: the store's lease, the feed's connection. */
describe('a start that fails after the store opened', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-failed-start-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('releases the data directory when the fan-out refuses its timing', async () => {
    const dir = dataDir();
    await expect(startGatewayRuntime({ ...base, store: { dataDir: dir }, fanoutTiming: { leaseMs: 1 } })).rejects.toBeInstanceOf(UnsafeFanoutTimingError);
    expect(existsSync(join(dir, 'switchboard.lock'))).toBe(false);
    // The same process may open the store again: nothing holds its lease.
    const again = await openDatabase({ dataDir: dir });
    await again.close();
  }, 60_000);

  it('releases the data directory when the port is taken', async () => {
    const dir = dataDir();
    const holder = await takenPort();
    try {
      await expect(startGatewayRuntime({ ...base, store: { dataDir: dir }, listen: { port: portOf(holder), host: '127.0.0.1' } })).rejects.toBeInstanceOf(StartupError);
      expect(existsSync(join(dir, 'switchboard.lock'))).toBe(false);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 60_000);

  it.runIf(TEST_DATABASE_URL)('closes the change feed\'s LISTEN connection on PostgreSQL when the port is taken', async () => {
    const schema = `sb_failed_start_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const holder = await takenPort();
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await expect(
        startGatewayRuntime({ ...base, store: { databaseUrl: TEST_DATABASE_URL, schema }, listen: { port: portOf(holder), host: '127.0.0.1' } }),
      ).rejects.toBeInstanceOf(StartupError);
      // A closed connection's backend leaves pg_stat_activity a moment after the socket closes.
      const listening = async () =>
        (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = $1`, [`LISTEN switchboard_feed_${schema}`])).rows[0]?.n;
      let left = await listening();
      for (let tries = 0; left !== 0 && tries < 50; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        left = await listening();
      }
      expect(left).toBe(0);
    } finally {
      await admin.end();
      await new Promise((resolve) => holder.close(resolve));
      await dropTestSchema(schema);
    }
  }, 60_000);
});
