import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/feed/changeEvent.ts';
import { decodeNotifyPayload, MAX_NOTIFY_PAYLOAD_BYTES, packNotifyPayloads } from '../../src/feed/notifyPayloads.ts';
import { PostgresFeed } from '../../src/feed/postgresFeed.ts';
import type { Database } from '../../src/store/database.ts';
import { openTestPostgres, TEST_DATABASE_URL, type TestDatabase } from '../store/testDatabases.ts';

/** 400 conversation events of about 150 bytes each: about 60 000 bytes, so 8 payloads at least. */
const events: ChangeEvent[] = Array.from({ length: 400 }, (_, i) => ({
  type: 'conversation',
  workspaceId: 'workspace-with-a-long-name',
  provider: 'VOICEOS',
  nativeId: `conversation-${String(i).padStart(4, '0')}-${'x'.repeat(40)}`,
  version: 1 + (i % 3),
  changes: ['STATUS_CHANGED'],
}));
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('NOTIFY payloads', () => {
  it('packs events in order into the fewest payloads under the limit', () => {
    const { payloads, tooLarge } = packNotifyPayloads(events);
    expect(tooLarge).toEqual([]);
    const eventBytes = bytes(JSON.stringify(events[0]));
    const perPayload = Math.floor((MAX_NOTIFY_PAYLOAD_BYTES - 1) / (eventBytes + 1));
    expect(payloads.length).toBe(Math.ceil(events.length / perPayload));
    expect(payloads.every((payload) => bytes(payload) <= MAX_NOTIFY_PAYLOAD_BYTES)).toBe(true);
    const decoded = payloads.map(decodeNotifyPayload);
    expect(decoded.flatMap((each) => ('events' in each ? each.events : []))).toEqual(events);
  });

  it('sets aside an event over the limit on its own and keeps the others', () => {
    const huge: ChangeEvent = { type: 'batch', workspaceId: 'w', batchId: 'é'.repeat(4000) };
    const { payloads, tooLarge } = packNotifyPayloads([events[0]!, huge, events[1]!]);
    expect(tooLarge).toEqual([huge]);
    expect(payloads).toEqual([JSON.stringify([events[0], events[1]])]);
  });

  it('decodes a single event (what replicas before batching send) and refuses what is not an event', () => {
    expect(decodeNotifyPayload(JSON.stringify(events[0]))).toEqual({ events: [events[0]] });
    expect('error' in decodeNotifyPayload('{"type":"conversation"}')).toBe(true);
    expect('error' in decodeNotifyPayload('not json')).toBe(true);
  });
});

describe.runIf(TEST_DATABASE_URL)('the PostgreSQL feed', () => {
  let store: TestDatabase;
  const schema = `feed_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  beforeAll(async () => {
    store = await openTestPostgres();
  });
  afterAll(async () => {
    await store.dispose();
  });

  it('sends one publish as one statement, in payloads under 8000 bytes, delivered whole and in order', async () => {
    let statements = 0;
    const database: Database = {
      ...store.db,
      query: (sql, params) => {
        statements += 1;
        return store.db.query(sql, params);
      },
    };
    const errors: unknown[] = [];
    const feed = await PostgresFeed.open({ databaseUrl: TEST_DATABASE_URL, schema, database, onError: (error) => errors.push(error) });
    // A plain listener on the same channel sees the notifications themselves.
    const raw = new pg.Client({ connectionString: TEST_DATABASE_URL });
    const payloads: string[] = [];
    raw.on('notification', (message) => payloads.push(message.payload ?? ''));
    await raw.connect();
    await raw.query(`LISTEN switchboard_feed_${schema}`);
    try {
      const received: ChangeEvent[] = [];
      feed.subscribe((event) => received.push(event));
      await feed.publish(events);
      // The feed's listener and the plain one are two connections: each is told in its own time.
      const expectedPayloads = packNotifyPayloads(events).payloads;
      for (let wait = 0; (received.length < events.length || payloads.length < expectedPayloads.length) && wait < 500; wait += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }

      expect(statements).toBe(1);
      expect(received).toEqual(events);
      expect(payloads).toEqual(expectedPayloads);
      expect(payloads.length).toBeGreaterThan(1);
      expect(payloads.every((payload) => bytes(payload) < 8000)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await raw.end();
      await feed.close();
    }
  });
});

describe.runIf(TEST_DATABASE_URL)('the PostgreSQL feed when its listening connection is lost', () => {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  const event: ChangeEvent = { type: 'batch', workspaceId: 'w', batchId: 'b-1' };
  const until = async (condition: () => boolean | Promise<boolean>, what: string) => {
    for (let waited = 0; waited < 10_000; waited += 25) {
      if (await condition()) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
  });

  /** The backends LISTENing on a feed's channel, on whatever database. */
  const listeners = async (channel: string) =>
    (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE query = $1`, [`LISTEN ${channel}`])).rows.map((row) => row.pid);

  it('reopens exactly one connection however often it is dropped, and delivers each event once', async () => {
    // Each drop raised two errors, each reopened a connection, and the old one stayed: the
    // LISTEN connections went 2, 4, 8, 16, and every event was delivered that many times (an operator trial).
    const store = await openTestPostgres();
    const schema = `feed_drop_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const channel = `switchboard_feed_${schema}`;
    const errors: unknown[] = [];
    const feed = await PostgresFeed.open({ databaseUrl: TEST_DATABASE_URL, schema, database: store.db, onError: (error) => errors.push(error), retryDelaysMs: [20] });
    try {
      const received: ChangeEvent[] = [];
      feed.subscribe((each) => received.push(each));
      for (let drop = 0; drop < 3; drop++) {
        const [pid] = await listeners(channel);
        expect(pid).toBeDefined();
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        await until(async () => {
          const now = await listeners(channel);
          return now.length >= 1 && !now.includes(pid!);
        }, 'the feed to listen again');
      }
      await new Promise((resolve) => setTimeout(resolve, 300)); // a second reopen, had one been scheduled
      expect((await listeners(channel)).length).toBe(1);
      expect(feed.isListening()).toBe(true);
      await feed.publish([event]);
      await until(() => received.length > 0, 'the event');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received).toEqual([event]);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await feed.close();
      await store.dispose();
    }
  });

  it('keeps trying while the database refuses connections, and listens again once it takes them', async () => {
    // A reopen that failed was never tried again: after an outage of over a second the replica's
    // subscribers heard nothing more, while the other replica's did (an operator trial).
    const database = `sb_feed_outage_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${database}`;
    const { openPostgresDatabase } = await import('../../src/store/postgresDatabase.ts');
    const db = await openPostgresDatabase({ databaseUrl: url.href });
    const errors: unknown[] = [];
    const channelSchema = `outage_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const channel = `switchboard_feed_${channelSchema}`;
    const feed = await PostgresFeed.open({ databaseUrl: url.href, schema: channelSchema, database: db, onError: (error) => errors.push(error), retryDelaysMs: [20, 50] });
    try {
      const received: ChangeEvent[] = [];
      feed.subscribe((each) => received.push(each));
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [database]);
      await new Promise((resolve) => setTimeout(resolve, 600)); // ten attempts or so, each refused
      expect(await listeners(channel)).toEqual([]);
      const refusals = errors.filter((error) => error instanceof Error && /not currently accepting connections/.test(error.message)).length;
      expect(refusals).toBeGreaterThan(1);
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      await until(async () => (await listeners(channel)).length > 0, 'the feed to listen again');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await listeners(channel)).length).toBe(1);
      await feed.publish([event]);
      await until(() => received.length > 0, 'the event');
      expect(received).toEqual([event]);
    } finally {
      await feed.close();
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  });
});
