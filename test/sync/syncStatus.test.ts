import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveGateway, type LiveGateway } from './liveGateway.ts';

interface AccountSync {
  provider: string;
  lastSuccessAt: string | null;
  lagSeconds: number | null;
  records: { conversations: number; agents: number; prospects: number };
  backfillComplete: boolean;
  lastError: string | null;
}

const SYNC_STATUS = '{ syncStatus { provider lastSuccessAt lagSeconds records { conversations agents prospects } backfillComplete lastError } }';

/** Freshness per provider account, as the graph shows it (issue 10: last success, lag, records, last error). */
describe('syncStatus through GraphQL', () => {
  let gateway: LiveGateway;
  beforeAll(async () => {
    gateway = await startLiveGateway();
  });
  afterAll(async () => {
    await gateway.close();
  });

  const status = async () => (await gateway.query<{ syncStatus: AccountSync[] }>(SYNC_STATUS)).data?.syncStatus ?? [];

  it('says nothing is synced before the first pass, then counts exactly what the pass stored', async () => {
    expect(await status()).toEqual(
      ['ORATION', 'TRATA', 'VOICEOS'].map((provider) => ({
        provider,
        lastSuccessAt: null,
        lagSeconds: null,
        records: { conversations: 0, agents: 0, prospects: 0 },
        backfillComplete: false,
        lastError: null,
      })),
    );

    await gateway.runtime.live.sync.syncOnce();
    const { rows } = await gateway.runtime.database.query<{ provider: string; kind: string; n: number }>(
      `SELECT provider, kind, count(*)::int AS n FROM synced_records WHERE workspace_id = 'demo' GROUP BY provider, kind`,
    );
    const stored = (provider: string, kind: string) => rows.find((row) => row.provider === provider && row.kind === kind)?.n ?? 0;
    const askedAt = Date.now();
    const after = await status();
    const answeredAt = Date.now();
    expect(after.map(({ provider, records, backfillComplete, lastError }) => ({ provider, records, backfillComplete, lastError }))).toEqual(
      ['ORATION', 'TRATA', 'VOICEOS'].map((provider) => ({
        provider,
        records: { conversations: stored(provider, 'Conversation'), agents: stored(provider, 'Agent'), prospects: stored(provider, 'Prospect') },
        backfillComplete: true,
        lastError: null,
      })),
    );
    // The demo data the sync test counts exactly: 151 Oration, 120 Trata, 150 VoiceOS conversations.
    expect(after.map((each) => each.records.conversations)).toEqual([151, 120, 150]);
    for (const each of after) {
      // The lag is measured when the resolver runs, somewhere between the request and its answer.
      const since = (at: number) => Math.floor((at - Date.parse(each.lastSuccessAt ?? '')) / 1000);
      expect(each.lagSeconds).toBeGreaterThanOrEqual(since(askedAt));
      expect(each.lagSeconds).toBeLessThanOrEqual(since(answeredAt));
    }
  });

  it('reports the last error of an account whose provider failed, and keeps its last success', async () => {
    const before = (await status()).find((each) => each.provider === 'TRATA');
    gateway.demo.simulators.trata?.server.setFault('*', { kind: 'status', status: 503 });
    try {
      await gateway.runtime.live.sync.syncOnce();
    } finally {
      gateway.demo.simulators.trata?.server.setFault('*', null);
    }
    const trata = (await status()).find((each) => each.provider === 'TRATA');
    expect(trata?.lastError).toContain('TRATA');
    expect(trata?.lastSuccessAt).toBe(before?.lastSuccessAt);
    const others = (await status()).filter((each) => each.provider !== 'TRATA');
    expect(others.map((each) => each.lastError)).toEqual([null, null]);
  });
});
