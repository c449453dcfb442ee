import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.ts';
import { parsePrometheusText, seriesOf } from '../observability/prometheusText.ts';
import { dropTestSchema, TEST_DATABASE_URL } from '../store/testDatabases.ts';
import { startLiveGateway, type LiveGateway } from '../sync/liveGateway.ts';
import { BULKY_CONVERSATIONS, seedBulkyConversations } from './bulkyConversations.ts';

/**
 * Exports hold a slot (and on PostgreSQL a pool connection, a transaction and a cursor) for as long
 * as their client reads. These tests stall clients on purpose: a raw socket that reads the status
 * line and headers, then stops reading, so the kernel's buffers fill and the gateway waits on it.
 * Each workspace holds conversations whose export is about 14 MiB of NDJSON, well past what loopback
 * buffers hold (4 MiB at most on the sending side here; see bulkyConversations.ts).
 */
const CONVERSATIONS = BULKY_CONVERSATIONS;

interface StalledExport {
  status: number;
  headers: Record<string, string>;
  /** The whole body of a refusal (the gateway closes it); empty for a 200 (nothing read past the headers). */
  body: string;
  socket: Socket;
  /** Resolves when the gateway (or the test) closes the connection. */
  closed: Promise<void>;
}

/** Starts an export and stops reading as soon as its headers are in (a refusal is read to its end). */
async function stalledExport(gateway: LiveGateway, path: string, apiKey: string): Promise<StalledExport> {
  const { hostname, port } = new URL(gateway.origin);
  const socket = connect({ host: hostname, port: Number(port) });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${apiKey}\r\nConnection: close\r\n\r\n`);
  let received = Buffer.alloc(0);
  const head = await new Promise<{ status: number; headers: Record<string, string>; rest: Buffer }>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.pause();
      const [statusLine = '', ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, rest: received.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`connection closed before the headers: ${received.toString('latin1').slice(0, 200)}`)));
  });
  if (head.status === 200) return { status: 200, headers: head.headers, body: '', socket, closed };
  // A refusal: read it to its end (the gateway closes the connection), then undo the chunked encoding.
  socket.resume();
  const chunks: Buffer[] = [head.rest];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await closed;
  return { status: head.status, headers: head.headers, body: dechunk(Buffer.concat(chunks)), socket, closed };
}

function dechunk(raw: Buffer): string {
  let body = '';
  let text = raw.toString('latin1');
  for (;;) {
    const lineEnd = text.indexOf('\r\n');
    const size = parseInt(text.slice(0, lineEnd), 16);
    if (!(size > 0)) return Buffer.from(body, 'latin1').toString('utf8');
    body += text.slice(lineEnd + 2, lineEnd + 2 + size);
    text = text.slice(lineEnd + 2 + size + 2);
  }
}

/** Polls `read` until it returns `expected` (the state the gateway reaches by itself); fails after 15 s with the last value. */
async function until<T>(read: () => Promise<T> | T, expected: T, what: string): Promise<void> {
  let last: T | undefined;
  for (let waited = 0; waited < 15_000; waited += 25) {
    last = await read();
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${what}: still ${JSON.stringify(last)}, expected ${JSON.stringify(expected)}`);
}

/** The gateway's `"export"` end lines, parsed. */
const exportEnds = (gateway: LiveGateway) =>
  gateway.logLines.filter((line) => line.includes('"message":"export"')).map((line) => JSON.parse(line) as Record<string, unknown>);

/**
 * PostgreSQL sessions inside an export's cursor transaction on this test's own `synced_records`
 * (its lock names the table, so other suites' sessions on the same server are not counted).
 * Read on a connection of its own: the gateway's pool may be full.
 */
async function exportSessions(schema: string): Promise<number> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(DISTINCT a.pid)::int AS n FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
        WHERE l.relation = to_regclass($1) AND a.query LIKE '%switchboard_export%' AND a.state <> 'idle'`,
      [`${schema}.synced_records`],
    );
    return rows[0]?.n ?? -1;
  } finally {
    await client.end();
  }
}

/** The export series of the gateway's /metrics, each as `{labels} -> value` in label order (`until` compares JSON). */
async function exportMetrics(gateway: LiveGateway) {
  const samples = parsePrometheusText(await (await fetch(`${gateway.origin}/metrics`)).text());
  const series = (name: string) => Object.fromEntries(Object.entries(seriesOf(samples, name)).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    inProgress: series('switchboard_exports_in_progress'),
    finished: series('switchboard_exports_finished_total'),
    refused: series('switchboard_exports_refused_total'),
  };
}

/** `switchboard_exports_finished_total` with every series at 0 but those given (`kind,outcome` -> count). */
function finishedSeries(counts: Record<string, number> = {}): Record<string, number> {
  const series: Record<string, number> = {};
  for (const kind of ['conversations', 'cost-lines', 'transcript-messages']) {
    for (const outcome of ['aborted', 'complete', 'failed', 'stalled']) series[`kind=${kind},outcome=${outcome}`] = counts[`${kind},${outcome}`] ?? 0;
  }
  return series;
}

const inProgressSeries = (conversations: number) => ({ 'kind=conversations': conversations, 'kind=cost-lines': 0, 'kind=transcript-messages': 0 });

const STATS = `{ conversationStats { groups { conversations } } }`;

const stores: [string, () => { store?: { databaseUrl: string; schema: string }; cleanup: () => Promise<void> }][] = [
  ['PGlite (keyset batches)', () => ({ cleanup: async () => {} })],
];
if (TEST_DATABASE_URL) {
  stores.push(['PostgreSQL (server-side cursor)', () => {
    const schema = `sb_exlim_${Math.random().toString(36).slice(2, 10)}`;
    return { store: { databaseUrl: TEST_DATABASE_URL, schema }, cleanup: () => dropTestSchema(schema) };
  }]);
}

describe.each(stores)('export limits, on %s', { timeout: 120_000 }, (_name, make) => {
  const seed = async (database: Database, workspaceIds: string[]) => {
    for (const workspaceId of workspaceIds) await seedBulkyConversations(database, workspaceId);
  };

  it('runs at most the cap at once (3, a third of the pool; 2 per workspace): stalled clients past it are refused and GraphQL still answers', async () => {
    const setup = make();
    const gateway = await startLiveGateway(setup.store ? { store: setup.store } : {});
    const stalled: StalledExport[] = [];
    try {
      await seed(gateway.runtime.live.database, ['demo', 'acme']);
      // Every export series is there before the first export, at 0.
      expect(await exportMetrics(gateway)).toEqual({
        inProgress: inProgressSeries(0),
        finished: finishedSeries(),
        refused: { 'limit=replica': 0, 'limit=workspace': 0 },
      });
      // Ten clients that read the headers and stop, alternating between the two workspaces: as many
      // as the pool has connections, so without a cap every one of them would be held.
      for (let index = 0; index < 10; index += 1) {
        stalled.push(await stalledExport(gateway, '/exports/conversations.ndjson', index % 2 === 0 ? 'demo-key' : 'acme-key'));
      }
      // demo, acme, demo run; acme finds the replica full (503); demo has its two (429); and so on.
      expect(stalled.map((each) => each.status)).toEqual([200, 200, 200, 503, 429, 503, 429, 503, 429, 503]);
      const replicaFull = stalled[3];
      expect(replicaFull?.headers['retry-after']).toBe('10');
      expect(JSON.parse(replicaFull?.body ?? '')).toEqual({
        errors: [{
          message: 'This replica already runs 3 exports at once, its most; retry shortly',
          extensions: { code: 'TOO_MANY_EXPORTS', limit: 'replica', max: 3, retryAfterSeconds: 10 },
        }],
      });
      const workspaceFull = stalled[4];
      expect(workspaceFull?.headers['retry-after']).toBe('10');
      expect(JSON.parse(workspaceFull?.body ?? '')).toEqual({
        errors: [{
          message: 'This workspace already runs 2 exports at once, its most on this replica; retry when one has finished',
          extensions: { code: 'TOO_MANY_EXPORTS', limit: 'workspace', max: 2, retryAfterSeconds: 10 },
        }],
      });

      if (setup.store) {
        // The three running exports hold exactly three connections, each inside its cursor's transaction.
        await until(() => exportSessions(setup.store?.schema ?? ''), 3, 'sessions inside an export');
      }
      // The rest of the pool (or PGlite's one connection, which a keyset export holds only per batch) still serves.
      expect(await gateway.query(STATS)).toEqual({ data: { conversationStats: { groups: [{ conversations: CONVERSATIONS }] } } });
      const stats = gateway.runtime.live.database.poolStats?.();
      if (stats) expect(stats.waiting).toBe(0);
      expect(exportEnds(gateway)).toEqual([]); // the three are still running (stalled), not ended
      expect(gateway.runtime.gateway.exportSlots?.inUse()).toBe(3);
      // /metrics says the same: three running, four refusals for the replica and three for a workspace, none ended.
      expect(await exportMetrics(gateway)).toEqual({
        inProgress: inProgressSeries(3),
        finished: finishedSeries(),
        refused: { 'limit=replica': 4, 'limit=workspace': 3 },
      });

      // A running export's client goes away: its slot is free again, and the next export runs to its end.
      stalled[0]?.socket.destroy();
      await until(() => exportEnds(gateway).map((end) => end.outcome), ['aborted'], 'the abandoned export\'s end');
      const next = await fetch(`${gateway.origin}/exports/conversations.csv`, { headers: { authorization: 'Bearer demo-key' } });
      expect(next.status).toBe(200);
      expect((await next.text()).trimEnd().split('\r\n').length).toBe(CONVERSATIONS + 1);
      // The abandoned one and the complete one have ended; the two stalled ones still run.
      await until(() => exportMetrics(gateway), {
        inProgress: inProgressSeries(2),
        finished: finishedSeries({ 'conversations,aborted': 1, 'conversations,complete': 1 }),
        refused: { 'limit=replica': 4, 'limit=workspace': 3 },
      }, 'the export metrics');
    } finally {
      for (const each of stalled) each.socket.destroy();
      await gateway.close().finally(setup.cleanup);
    }
  }, 120_000);

  it('aborts an export whose client stops reading for the stall timeout, closing its cursor and freeing its slot', async () => {
    const setup = make();
    const gateway = await startLiveGateway({
      ...(setup.store && { store: setup.store }),
      env: { SWITCHBOARD_EXPORT_STALL_TIMEOUT_MS: '300', SWITCHBOARD_EXPORT_MAX_CONCURRENT: '1' },
    });
    try {
      await seed(gateway.runtime.live.database, ['demo']);
      const stalled = await stalledExport(gateway, '/exports/conversations.ndjson', 'demo-key');
      expect(stalled.status).toBe(200);

      // The event: the gateway gives up on the client by itself and says so.
      await until(() => exportEnds(gateway).map((end) => end.outcome), ['stalled'], 'the stalled export\'s end');
      const [end] = exportEnds(gateway);
      expect(end).toMatchObject({ level: 'warn', kind: 'conversations', workspace: 'demo', outcome: 'stalled', stallTimeoutMs: 300 });
      expect(end?.rows as number).toBeLessThan(CONVERSATIONS);
      // And ends the response: reading again, the client gets what was buffered, then the close.
      stalled.socket.resume();
      await stalled.closed;
      expect(gateway.runtime.gateway.exportSlots?.inUse()).toBe(0);
      expect(await exportMetrics(gateway)).toEqual({
        inProgress: inProgressSeries(0),
        finished: finishedSeries({ 'conversations,stalled': 1 }),
        refused: { 'limit=replica': 0, 'limit=workspace': 0 },
      });
      if (setup.store) {
        // No session is left in the export's transaction: the cursor is closed and the connection back in the pool.
        expect(await exportSessions(setup.store.schema)).toBe(0);
        // Its connection is back in the pool, idle (the fan-out's polls borrow one now and then: wait for them).
        await until(() => {
          const stats = gateway.runtime.live.database.poolStats?.();
          return stats && { lent: stats.open - stats.idle, waiting: stats.waiting };
        }, { lent: 0, waiting: 0 }, 'connections lent out');
      }
      // The only slot is free: the next export runs to its end.
      const next = await fetch(`${gateway.origin}/exports/conversations.csv?providers=VOICEOS`, { headers: { authorization: 'Bearer demo-key' } });
      expect(next.status).toBe(200);
      const { rows } = await gateway.runtime.live.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM synced_records WHERE workspace_id = 'demo' AND provider = 'VOICEOS'`);
      expect((await next.text()).trimEnd().split('\r\n').length).toBe((rows[0]?.n ?? 0) + 1);
    } finally {
      await gateway.close().finally(setup.cleanup);
    }
  }, 120_000);
});

describe('export limits follow the configured pool (SWITCHBOARD_DATABASE_POOL_SIZE)', { timeout: 120_000 }, () => {
  it('on PGlite, which has no pool, keep the default pool\'s third', async () => {
    const gateway = await startLiveGateway({ env: { SWITCHBOARD_DATABASE_POOL_SIZE: '30' } });
    try {
      expect(gateway.runtime.gateway.exportSlots?.limits).toEqual({ maxConcurrent: 3, maxPerWorkspace: 2 });
      expect(gateway.runtime.live.database.poolStats).toBeUndefined();
    } finally {
      await gateway.close();
    }
  });

  it.runIf(TEST_DATABASE_URL)('on PostgreSQL, open that many connections and run a third of them as exports: with 3, one export, and GraphQL keeps the other two', async () => {
    const schema = `sb_expool_${Math.random().toString(36).slice(2, 10)}`;
    const gateway = await startLiveGateway({
      store: { databaseUrl: TEST_DATABASE_URL, schema },
      env: { DATABASE_URL: TEST_DATABASE_URL, SWITCHBOARD_DATABASE_POOL_SIZE: '3' },
    });
    const stalled: StalledExport[] = [];
    try {
      expect(gateway.runtime.gateway.exportSlots?.limits).toEqual({ maxConcurrent: 1, maxPerWorkspace: 1 });
      await seedBulkyConversations(gateway.runtime.live.database, 'demo');
      for (const key of ['demo-key', 'demo-key', 'acme-key']) stalled.push(await stalledExport(gateway, '/exports/conversations.ndjson', key));
      expect(stalled.map((each) => [each.status, each.status === 200 ? null : (JSON.parse(each.body) as { errors: { extensions: unknown }[] }).errors[0]?.extensions])).toEqual([
        [200, null],
        [429, { code: 'TOO_MANY_EXPORTS', limit: 'workspace', max: 1, retryAfterSeconds: 10 }],
        [503, { code: 'TOO_MANY_EXPORTS', limit: 'replica', max: 1, retryAfterSeconds: 10 }],
      ]);
      await until(() => exportSessions(schema), 1, 'sessions inside an export');
      // The stalled export holds one of the three connections; GraphQL gets another without waiting.
      expect(await gateway.query(STATS)).toEqual({ data: { conversationStats: { groups: [{ conversations: CONVERSATIONS }] } } });
      expect(gateway.runtime.live.database.poolStats?.()).toMatchObject({ max: 3, waiting: 0 });
      const samples = parsePrometheusText(await (await fetch(`${gateway.origin}/metrics`)).text());
      expect(seriesOf(samples, 'switchboard_store_pool_connections')['state=max']).toBe(3);
      expect(seriesOf(samples, 'switchboard_exports_in_progress')).toEqual(inProgressSeries(1));
      expect(seriesOf(samples, 'switchboard_exports_refused_total')).toEqual({ 'limit=replica': 1, 'limit=workspace': 1 });
    } finally {
      for (const each of stalled) each.socket.destroy();
      await gateway.close().finally(() => dropTestSchema(schema));
    }
  });
});
