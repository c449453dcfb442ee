import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, Prospect } from '../../src/domain/types.ts';
import type { ChangeWriter } from '../../src/feed/changeWriter.ts';
import type { OffsetPage, OffsetRequest, ProviderConnector } from '../../src/providers/connector.ts';
import type { SyncAccountRecord } from '../../src/store/queries/syncAccounts.ts';
import { SYNC_PAGE_SIZE, syncAccount } from '../../src/sync/syncAccount.ts';
import { openTestPglite, type TestDatabase } from '../store/testDatabases.ts';

/** An offset list of `count` records that says it holds `totalCount`, and the requests it was asked. */
function offsetList<T>(count: number, make: (i: number) => T, totalCount = count) {
  const requests: OffsetRequest[] = [];
  const all = Array.from({ length: count }, (_, i) => make(i));
  const list = async (request: OffsetRequest): Promise<OffsetPage<T>> => {
    requests.push(request);
    return { items: all.slice(request.offset, request.offset + request.limit), totalCount };
  };
  return { requests, list };
}

const agent = (i: number) => ({ nativeId: `a-${i}` }) as Agent;
const prospect = (i: number) => ({ nativeId: `p-${i}` }) as Prospect;

/** A writer that counts every record of a page as changed, and remembers what it was given. */
function recordingWriter() {
  const writes: string[] = [];
  const writer = {
    writeConversations: async () => 0,
    writeAgents: async (_w: string, _p: string, agents: readonly Agent[]) => {
      writes.push(`agents ${agents.length}`);
      return agents.length;
    },
    writeProspects: async (_w: string, _p: string, prospects: readonly Prospect[]) => {
      writes.push(`prospects ${prospects.length}`);
      return prospects.length;
    },
  };
  return { writes, writer: writer as unknown as ChangeWriter };
}

/** A backfilled account with no conversations: a pass then syncs only agents and prospects. */
const account: SyncAccountRecord = {
  workspaceId: 'w',
  provider: 'TRATA',
  watermark: null,
  backfillPosition: null,
  backfillDone: true,
  leaseOwner: 'replica',
  leaseExpiresAt: null,
  lastAttemptAt: null,
  lastSuccessAt: null,
  lastError: null,
  lastErrorAt: null,
};

describe('a sync pass stores every agent and prospect, page by page', () => {
  let store: TestDatabase;
  beforeAll(async () => {
    store = await openTestPglite();
  });
  afterAll(async () => {
    await store.dispose();
  });

  function pass(connector: Pick<ProviderConnector, 'listAgents' | 'prospects'>, writer: ChangeWriter) {
    const full = {
      provider: 'TRATA',
      listConversations: async () => ({ items: [], totalCount: 0, hasMore: false }),
      getConversations: async () => [],
      getAgents: async () => [],
      ...connector,
    } as ProviderConnector;
    return syncAccount(
      { database: store.db, writer, connector: full, owner: 'replica', clock: () => new Date(0), retentionDays: null, shouldContinue: async () => true },
      account,
    );
  }

  it('reads the lists to their total, then stops', async () => {
    const agents = offsetList(2 * SYNC_PAGE_SIZE + 50, agent);
    const prospects = offsetList(SYNC_PAGE_SIZE, prospect);
    const { writes, writer } = recordingWriter();
    const report = await pass({ listAgents: agents.list, prospects: { listProspects: prospects.list, getProspects: async () => [] } }, writer);
    expect(agents.requests).toEqual([0, 100, 200].map((offset) => ({ offset, limit: SYNC_PAGE_SIZE })));
    expect(prospects.requests).toEqual([{ offset: 0, limit: SYNC_PAGE_SIZE }]);
    expect(writes).toEqual(['agents 100', 'agents 100', 'agents 50', 'prospects 100']);
    expect(report).toEqual({ pages: 1, changed: 350 });
  });

  it('stops at an empty page when the provider overstates its total, and reads no prospects of a provider without them', async () => {
    const agents = offsetList(SYNC_PAGE_SIZE, agent, 1000);
    const { writes, writer } = recordingWriter();
    const report = await pass({ listAgents: agents.list }, writer);
    expect(agents.requests).toEqual([0, 100].map((offset) => ({ offset, limit: SYNC_PAGE_SIZE })));
    expect(writes).toEqual(['agents 100', 'agents 0']);
    expect(report).toEqual({ pages: 1, changed: 100 });
  });
});
