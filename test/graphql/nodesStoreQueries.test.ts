import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/domain/globalId.ts';
import type { Database, Queryable } from '../../src/store/database.ts';
import { insertBatchWithItems } from '../../src/store/queries/batches.ts';
import { openTestPglite, openTestPostgres, TEST_DATABASE_URL, type TestDatabase } from '../store/testDatabases.ts';
import { neverSentItem, startStoreGateway, type StoreGateway } from '../support/storeGateway.ts';

/** The Database a gateway runs on, counting every statement it is asked to run. */
interface CountingDatabase extends Database {
  readonly statements: string[];
}

function countingDatabase(inner: Database): CountingDatabase {
  const statements: string[] = [];
  const counted = (target: Queryable): Queryable => ({
    query: (sql, params) => {
      statements.push(sql);
      return target.query(sql, params);
    },
    exec: (sql) => {
      statements.push(sql);
      return target.exec(sql);
    },
  });
  const outer = counted(inner);
  return {
    kind: inner.kind,
    statements,
    query: outer.query,
    exec: outer.exec,
    transaction: (work) => inner.transaction((tx) => work(counted(tx))),
    close: () => inner.close(),
  };
}

const batchGlobalId = (id: string) => toGlobalId({ provider: null, type: 'ConversationBatch', nativeId: id });

/**
 * Finding 3 of issue 7: `nodes(ids:)` with thousands of batch ids ran one store query per id.
 * The gateway here runs on a counting store and a fan-out that is never started, so the only
 * statements are the ones the GraphQL request causes.
 */
const stores = [
  { name: 'PGlite', open: openTestPglite },
  ...(TEST_DATABASE_URL ? [{ name: 'PostgreSQL', open: openTestPostgres }] : []),
];

describe.each(stores)('batch lookups by id cost one store query per request ($name)', (store) => {
  let database: CountingDatabase;
  let opened: TestDatabase;
  let gateway: StoreGateway;
  const ownBatches: string[] = [];
  const foreignBatches: string[] = [];

  beforeAll(async () => {
    opened = await store.open();
    const inner = opened.db;
    for (const [workspaceId, ids] of [['demo', ownBatches], ['acme', foreignBatches]] as const) {
      for (let i = 0; i < (workspaceId === 'demo' ? 100 : 3); i++) {
        const id = randomUUID();
        await insertBatchWithItems(inner, {
          id,
          workspaceId,
          idempotencyKey: null,
          requestHash: 'h',
          createdAt: new Date(Date.UTC(2026, 10, 1, 0, 0, i)),
          items: [neverSentItem(0, 'ORATION:store-queries-test')],
        });
        ids.push(id);
      }
    }
    database = countingDatabase(inner);
    gateway = await startStoreGateway(database, 'store-queries-test');
  });
  afterAll(async () => {
    await gateway.close();
    await opened.dispose();
  });
  beforeEach(() => {
    database.statements.length = 0;
  });

  const query = <T>(document: string, variables?: Record<string, unknown>) => gateway.query<T>(document, variables);

  it('answers nodes(ids:) with 100 batch ids from one store query, in the order asked', async () => {
    const ids = ownBatches.map(batchGlobalId);
    const body = await query<{ nodes: ({ id: string; counts: { total: number } } | null)[] }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on ConversationBatch { counts { total } } } }`,
      { ids },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.nodes.map((node) => node?.id)).toEqual(ids);
    expect(body.data?.nodes.every((node) => node?.counts.total === 1)).toBe(true);
    expect(database.statements).toHaveLength(1);
  });

  it('keeps another workspace\'s, unknown and malformed batch ids not found, still in one query', async () => {
    const ids = [
      batchGlobalId(ownBatches[0]!),
      batchGlobalId(foreignBatches[0]!),
      batchGlobalId(randomUUID()),
      batchGlobalId('not-a-uuid'),
      batchGlobalId(ownBatches[0]!),
      batchGlobalId(ownBatches[1]!),
    ];
    const body = await query<{ nodes: ({ id: string } | null)[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids });
    expect(body.data?.nodes.map((node) => node?.id ?? null)).toEqual([ids[0], null, null, null, ids[0], ids[5]]);
    const errors = body.errors?.map((error) => [error.path, error.extensions?.code]);
    expect(errors?.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      [['nodes', 1], 'NOT_FOUND'],
      [['nodes', 2], 'NOT_FOUND'],
      [['nodes', 3], 'NOT_FOUND'],
    ]);
    expect(database.statements).toHaveLength(1);
  });

  it('shares the one query between node, nodes and batch fields of the same request', async () => {
    const [a, b, c] = ownBatches.map(batchGlobalId);
    const body = await query<Record<string, unknown>>(
      `query($a: ID!, $b: ID!, $c: ID!) {
        one: node(id: $a) { id }
        two: batch(id: $b) { id }
        all: nodes(ids: [$a, $b, $c]) { id }
      }`,
      { a, b, c },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ one: { id: a }, two: { id: b }, all: [{ id: a }, { id: b }, { id: c }] });
    expect(database.statements).toHaveLength(1);
  });
});
