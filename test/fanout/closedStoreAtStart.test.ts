import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

// A gateway whose embedded store holds no unfinished item keeps PGlite closed until a batch is
// created (issue 9: idle memory); the first batch must still be stored, dispatched and finished.
describe('the fan-out on an embedded store with nothing pending at start', { timeout: 90_000 }, () => {
  let gw: TestGateway;
  let parent: string;
  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'switchboard-closed-store-'));
    gw = await startTestGateway({}, { store: { dataDir: join(parent, 'pglite') } });
  });
  afterAll(async () => {
    await gw.close();
    rmSync(parent, { recursive: true, force: true });
  });

  it('starts without looking for work, then dispatches the first batch to the end', async () => {
    expect(gw.runtime.database.pendingWorkAtStart).toBe(false);
    const { body: agents } = await gw.query<{ agents: { nodes: { id: string }[] } }>(`{ agents(first: 1, providers: [ORATION]) { nodes { id } } }`);
    const agentId = agents.data!.agents.nodes[0]!.id;
    const before = gw.demo.simulators.oration!.server.count('POST /api/v2/conversations');
    const { body } = await gw.query<{ createConversations: { status: string; counts: Record<string, number> } }>(
      `mutation($input: CreateConversationsInput!) { createConversations(input: $input) { status counts { total ended failed } } }`,
      {
        input: {
          waitSeconds: 30,
          conversations: [0, 1, 2].map((i) => ({ agentId, channel: 'PHONE_OUTBOUND', toNumber: `+1415555200${i}` })),
        },
      },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.createConversations).toMatchObject({ status: 'COMPLETED', counts: { total: 3, ended: 3, failed: 0 } });
    expect(gw.demo.simulators.oration!.server.count('POST /api/v2/conversations') - before).toBe(1);
  });
});
