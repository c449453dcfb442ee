import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXPORT_SPECS } from '../../src/analytics/exports/exportKinds.ts';
import { storeRowSource } from '../../src/analytics/exports/storeRowStream.ts';
import { openTestPglite, type TestDatabase } from '../store/testDatabases.ts';
import { insertConversations, type FixtureConversation } from './biFixtures.ts';

const conversation = (index: number, withCost: boolean): FixtureConversation => ({
  nativeId: `c${String(index).padStart(3, '0')}`,
  createdAt: '2026-03-01T00:00:00.000Z',
  cost: withCost ? { currency: 'USD', total: '0.3', components: [['LLM', '0.1'], ['VOICE', '0.2']] } : null,
});

describe('PGlite keyset batches of line exports', () => {
  let store: TestDatabase;
  beforeEach(async () => {
    store = await openTestPglite();
    // 120 conversations, 50 a batch: the first batch has no lines at all, the second some.
    await insertConversations(store.db, 'ws', Array.from({ length: 120 }, (_, index) => conversation(index, index >= 60)));
  });
  afterEach(async () => {
    await store.dispose();
  });

  const run = async (kind: 'cost-lines' | 'transcript-messages') => {
    const spec = EXPORT_SPECS[kind];
    const query = vi.spyOn(store.db, 'query');
    const batches: Record<string, unknown>[][] = [];
    const total = await storeRowSource(store.db, { select: spec.select, where: `r.workspace_id = $1 AND r.kind = 'Conversation'`, params: ['ws'], lateral: spec.lateral })
      .run(async (rows) => void batches.push(rows), new AbortController().signal);
    return { total, batches, queries: query.mock.calls.length };
  };

  it('reads each batch with one query, past batches whose conversations have no lines', async () => {
    const costLines = await run('cost-lines');
    // Three batches of conversations and the empty read that ends the export.
    expect(costLines.queries).toBe(4);
    expect(costLines.total).toBe(120);
    expect(costLines.batches.map((rows) => rows.length)).toEqual([80, 40]);
    expect(Object.keys(costLines.batches[0]?.[0] ?? {})).toEqual([
      'provider', 'native_id', 'change_seq', 'created_at', 'line', 'kind', 'component_provider', 'currency', 'amount',
      'seconds', 'input_tokens', 'output_tokens', 'characters',
    ]);
    const lines = costLines.batches.flat().map((row) => `${String(row.native_id)}#${String(row.line)}`);
    expect(lines).toEqual(Array.from({ length: 60 }, (_, index) => [`c${String(index + 60).padStart(3, '0')}#1`, `c${String(index + 60).padStart(3, '0')}#2`]).flat());

    // No conversation has messages: still one query a batch, and no rows.
    vi.restoreAllMocks();
    expect(await run('transcript-messages')).toEqual({ total: 0, batches: [], queries: 4 });
  });
});
