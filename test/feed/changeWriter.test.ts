import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Conversation, ConversationStatus, Provider } from '../../src/domain/types.ts';
import type { ChangeEvent } from '../../src/feed/changeEvent.ts';
import { ChangeWriter } from '../../src/feed/changeWriter.ts';
import { InProcessFeed } from '../../src/feed/inProcessFeed.ts';
import type { Database, Queryable } from '../../src/store/database.ts';
import { UPSERT_CHUNK_SIZE } from '../../src/store/queries/syncedRecords.ts';
import { deferRecords } from '../../src/providers/kit/deferredRecords.ts';
import { TRATA_CONVERSATION_POSITION, trataConversationFields } from '../../src/providers/trata/map.ts';
import { documentedConversationRecord } from '../../src/simulators/trata/samples.ts';
import { openTestPglite, openTestPostgres, TEST_DATABASE_URL, type TestDatabase } from '../store/testDatabases.ts';

/** Three of Trata's documented conversations as its connector returns a list page: validated field by field when read. */
function trataPage(brokenStatus: readonly number[], overrides: Record<number, object> = {}): Conversation[] {
  const raw = Array.from({ length: 3 }, (_, i) => ({
    ...documentedConversationRecord(),
    id: `con.${1_800_000_000 - i}.rec${i}`,
    createdAt: `2026-11-20T10:00:${String(59 - i).padStart(2, '0')}.123456`,
    ...(brokenStatus.includes(i) && { status: 42 }),
    ...overrides[i],
  }));
  return deferRecords(raw, { provider: 'TRATA', endpoint: 'conversations.list', listPath: 'data', fields: trataConversationFields, position: TRATA_CONVERSATION_POSITION });
}

function conversation(nativeId: string, changes: { status?: ConversationStatus; updatedAt?: string; messages?: number; provider?: Provider } = {}): Conversation {
  const provider = changes.provider ?? 'VOICEOS';
  return {
    kind: 'Conversation',
    provider,
    nativeId,
    channel: { value: 'PHONE_OUTBOUND', raw: 'outbound' },
    status: { value: changes.status ?? 'IN_PROGRESS', raw: null },
    createdAt: new Date('2026-03-01T10:00:00Z'),
    startedAt: null,
    endedAt: null,
    durationSeconds: null,
    talkSeconds: null,
    ringSeconds: null,
    endReason: null,
    fromNumber: null,
    toNumber: null,
    sipTrunkAddress: null,
    agentRef: null,
    embeddedAgent: null,
    prospectRef: null,
    transcript:
      changes.messages === undefined
        ? null
        : { messages: Array.from({ length: changes.messages }, (_, i) => ({ speaker: 'AGENT', text: `line ${i}` })) } as unknown as Conversation['transcript'],
    summary: null,
    recording: null,
    analytics: null,
    postCall: null,
    dynamicVariables: null,
    gatewayRequestId: null,
    adminComments: [],
    cost: null,
    uri: null,
    updatedAt: changes.updatedAt ? new Date(changes.updatedAt) : null,
    providerAccountId: null,
    oration: null,
    trata: null,
    voiceos: null,
  };
}

/** The store, with every statement sent inside a transaction counted. */
function counting(db: Database): { db: Database; statements: string[] } {
  const statements: string[] = [];
  const wrap = (tx: Queryable): Queryable => ({
    query: (sql, params) => {
      statements.push(sql);
      return tx.query(sql, params);
    },
    exec: (sql) => tx.exec(sql),
  });
  return { db: { ...db, kind: db.kind, transaction: (work) => db.transaction((tx) => work(wrap(tx))), close: () => db.close() }, statements };
}

const engines: [string, () => Promise<TestDatabase>][] = [['PGlite', openTestPglite]];
if (TEST_DATABASE_URL) engines.push(['PostgreSQL', openTestPostgres]);

describe.each(engines)('the change writer on %s', (_engine, open) => {
  let store: TestDatabase;
  let statements: string[];
  let writer: ChangeWriter;
  let events: ChangeEvent[];

  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store.dispose();
  });
  beforeEach(async () => {
    await store.db.query('DELETE FROM synced_records');
    const counted = counting(store.db);
    statements = counted.statements;
    const feed = new InProcessFeed();
    events = [];
    feed.subscribe((event) => events.push(event));
    writer = new ChangeWriter({ database: counted.db, feed, clock: () => new Date('2026-03-01T12:00:00Z') });
  });

  const versions = async () =>
    (await store.db.query<{ native_id: string; version: number; status: string }>(`SELECT native_id, version, status FROM synced_records ORDER BY native_id`)).rows;

  it('writes a chunk of records in one statement, not one per record', async () => {
    const many = Array.from({ length: UPSERT_CHUNK_SIZE * 2 + 1 }, (_, i) => conversation(`c${String(i).padStart(5, '0')}`));
    expect(await writer.writeConversations('ws', 'VOICEOS', many)).toBe(many.length);
    expect(statements.length).toBe(3);
    expect(events.length).toBe(many.length);
    expect(new Set(events.map((event) => (event.type === 'conversation' ? event.changes.join() : '')))).toEqual(new Set(['CREATED']));

    // The same content again: still one statement per chunk, and nothing changed.
    statements.length = 0;
    expect(await writer.writeConversations('ws', 'VOICEOS', many)).toBe(0);
    expect(statements.length).toBe(3);
    expect(events.length).toBe(many.length);
  });

  it('bumps a version only when the content changed, and says what changed', async () => {
    await writer.writeConversations('ws', 'VOICEOS', [conversation('a'), conversation('b'), conversation('c', { messages: 1 })]);
    events.length = 0;
    const changed = await writer.writeConversations('ws', 'VOICEOS', [
      conversation('a'),
      conversation('b', { status: 'ENDED' }),
      conversation('c', { messages: 2 }),
      conversation('d'),
    ]);
    expect(changed).toBe(3);
    expect(events).toEqual([
      { type: 'conversation', workspaceId: 'ws', provider: 'VOICEOS', nativeId: 'b', version: 2, changes: ['STATUS_CHANGED'] },
      { type: 'conversation', workspaceId: 'ws', provider: 'VOICEOS', nativeId: 'c', version: 2, changes: ['TRANSCRIPT_MESSAGE'] },
      { type: 'conversation', workspaceId: 'ws', provider: 'VOICEOS', nativeId: 'd', version: 1, changes: ['CREATED'] },
    ]);
    expect(await versions()).toEqual([
      { native_id: 'a', version: 1, status: 'IN_PROGRESS' },
      { native_id: 'b', version: 2, status: 'ENDED' },
      { native_id: 'c', version: 2, status: 'IN_PROGRESS' },
      { native_id: 'd', version: 1, status: 'IN_PROGRESS' },
    ]);
  });

  it('never lets an older read overwrite a newer one', async () => {
    await writer.writeConversations('ws', 'VOICEOS', [
      conversation('ended', { status: 'ENDED' }),
      conversation('newer', { updatedAt: '2026-03-01T11:00:00Z' }),
    ]);
    const changed = await writer.writeConversations('ws', 'VOICEOS', [
      conversation('ended', { status: 'IN_PROGRESS' }),
      conversation('newer', { status: 'ENDED', updatedAt: '2026-03-01T10:30:00Z' }),
    ]);
    expect(changed).toBe(0);
    expect(await versions()).toEqual([
      { native_id: 'ended', version: 1, status: 'ENDED' },
      { native_id: 'newer', version: 1, status: 'IN_PROGRESS' },
    ]);
  });

  it('writes a record named twice in one call twice, in order, as separate writes would', async () => {
    const changed = await writer.writeConversations('ws', 'VOICEOS', [conversation('x'), conversation('x', { status: 'ENDED' }), conversation('y')]);
    expect(changed).toBe(3);
    expect(statements.length).toBe(2);
    expect(await versions()).toEqual([
      { native_id: 'x', version: 2, status: 'ENDED' },
      { native_id: 'y', version: 1, status: 'IN_PROGRESS' },
    ]);
    // Each event says what its own write changed: the second write of x ended it.
    expect(events.map((event) => (event.type === 'conversation' ? [event.nativeId, event.version, event.changes] : null))).toEqual([
      ['x', 1, ['CREATED']],
      ['x', 2, ['STATUS_CHANGED']],
      ['y', 1, ['CREATED']],
    ]);
  });

  it('leaves out a record whose lazily read field breaks its provider\'s contract, reports it, and stores the rest', async () => {
    const refused: unknown[] = [];
    const feed = new InProcessFeed();
    const lenient = new ChangeWriter({ database: store.db, feed, onRecordRefused: (each) => refused.push(each) });
    const [good, broken, other] = trataPage([1]);
    expect(await lenient.writeConversations('ws', 'TRATA', [good!, broken!, other!])).toBe(2);
    expect((await versions()).map((row) => row.native_id)).toEqual([good!.nativeId, other!.nativeId].sort());
    expect(refused).toEqual([{ workspaceId: 'ws', provider: 'TRATA', nativeId: broken!.nativeId, issues: ['data.1.status'] }]);
  });

  it('without transcripts, never reads (nor refuses a record for) the transcript it throws away', async () => {
    const refused: unknown[] = [];
    const feed = new InProcessFeed();
    const private_ = new ChangeWriter({ database: store.db, feed, keepTranscripts: false, onRecordRefused: (each) => refused.push(each) });
    const [withBrokenTranscript] = trataPage([], { 0: { transcriptText: 42 } });
    expect(await private_.writeConversations('ws', 'TRATA', [withBrokenTranscript!])).toBe(1);
    expect(refused).toEqual([]);
    const stored = await store.db.query<{ transcript: unknown }>(`SELECT record->'transcript' AS transcript FROM synced_records`);
    expect(stored.rows).toEqual([{ transcript: null }]);
  });

  it('writes rows in key order (workspace, kind, provider, native id), each taking its own change number', async () => {
    const shuffled = ['m', 'b', 'z', 'a', 'k'].map((id) => conversation(id));
    await writer.writeConversations('ws', 'VOICEOS', shuffled);
    await writer.writeConversations('ws', 'VOICEOS', shuffled.map((each) => ({ ...each, status: { value: 'ENDED' as const, raw: null } })));
    const { rows } = await store.db.query<{ native_id: string; change_seq: string }>(
      `SELECT native_id, change_seq::text FROM synced_records ORDER BY change_seq`,
    );
    expect(rows.map((row) => row.native_id)).toEqual(['a', 'b', 'k', 'm', 'z']);
    // The trigger fires per row, in key order: BEFORE INSERT takes a number, then (the key is
    // taken) BEFORE UPDATE takes the next one, so each row's last number is 2 past the previous row's.
    const numbers = rows.map((row) => Number(row.change_seq));
    expect(numbers.slice(1).map((each, i) => each - numbers[i]!)).toEqual([2, 2, 2, 2]);
    expect(events.map((event) => (event.type === 'conversation' ? `${event.nativeId}@${event.version}` : ''))).toEqual([
      'm@1', 'b@1', 'z@1', 'a@1', 'k@1', 'm@2', 'b@2', 'z@2', 'a@2', 'k@2',
    ]);
  });

});
