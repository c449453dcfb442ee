import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/simulators/demoAccounts.ts';
import { createOrationSimulator, type OrationSimulator, type OrationSimulatorOptions } from '../../src/simulators/oration/orationSimulator.ts';
import { ORATION_DOCUMENTED_IDS } from '../../src/simulators/oration/samples.ts';

const [DEMO, ACME] = DEMO_ACCOUNTS.oration;
const AGENT = ORATION_DOCUMENTED_IDS.exampleAgent;

interface Account {
  apiKey: string;
  workspaceId: string;
}

/** Every call lasts exactly 1200 ms from create to end: 100 queued, 100 dialing, 1000 active. */
const EXACT_CALLS: OrationSimulatorOptions['lifecycle'] = {
  queueMs: { kind: 'fixed', ms: 100 },
  dialMs: { kind: 'fixed', ms: 100 },
  talkMs: { kind: 'fixed', ms: 1000 },
  unansweredRate: 0,
  failRate: 0,
};

let running: OrationSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.map((simulator) => simulator.close()));
  running = [];
});

async function start(options: OrationSimulatorOptions): Promise<{ simulator: OrationSimulator; url: string }> {
  const simulator = createOrationSimulator({ historicConversations: 20, ...options });
  running.push(simulator);
  return { simulator, url: `${await simulator.listen(0)}/api/v2` };
}

/** A clock the test moves by hand, so the lifecycle is asserted without waiting. */
function manualClock(startMs = Date.parse('2026-11-21T10:00:00Z')) {
  let nowMs = startMs;
  return { now: () => nowMs, advance: (ms: number) => void (nowMs += ms) };
}

const headersFor = (account: Account) => ({
  'x-api-key': account.apiKey,
  'x-workspace-id': account.workspaceId,
  'content-type': 'application/json',
});

function calls(count: number, requestIds: string[] = [], agentId: string = AGENT) {
  return Array.from({ length: count }, (_, i) => ({
    agentId,
    conversationType: 'telephony',
    toPhoneNumber: '+14155550100',
    dynamicVariables: { customerName: `Customer ${i}`, switchboardRequestId: requestIds[i] ?? `req-${Math.random()}` },
  }));
}

async function create(url: string, conversations: unknown[], account: Account = DEMO) {
  const response = await fetch(`${url}/conversations`, {
    method: 'POST',
    headers: headersFor(account),
    body: JSON.stringify({ conversations }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    limit: response.headers.get('x-ratelimit-limit'),
    remaining: response.headers.get('x-ratelimit-remaining'),
    body: (await response.json()) as { results?: { id: string; conversationStatus: string }[]; errors?: { error: string }[]; error?: string },
  };
}

async function get(url: string, path: string, account: Account = DEMO) {
  const response = await fetch(`${url}${path}`, { headers: headersFor(account) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe('Oration simulator concurrency budget', () => {
  it('refuses a create that needs more slots than are free, whole, with Retry-After and budget headers', async () => {
    const clock = manualClock();
    const { simulator, url } = await start({ concurrencyLimit: 3, lifecycle: EXACT_CALLS, now: clock.now });

    const first = await create(url, calls(2));
    expect(first.status).toBe(200);
    expect(first.body.results).toHaveLength(2);
    expect([first.limit, first.remaining]).toEqual(['3', '1']);

    const over = await create(url, calls(2));
    expect(over.status).toBe(429);
    expect(over.body.error).toBeTypeOf('string');
    expect(over.retryAfter).toBe('2'); // the first calls end 1200 ms after their create
    expect([over.limit, over.remaining]).toEqual(['3', '1']);

    // The demo account's documented sample is "queued" too; count only what this test created.
    const since = new Date(clock.now() - 1).toISOString();
    const listed = await get(url, `/conversations?status=queued&createdAfter=${since}`);
    expect(listed.body.total).toBe(2); // the refused request created nothing
    expect(simulator.budgetStats()[DEMO.workspaceId]).toMatchObject({ held: 2, created: 2, rejected429: 1, peak: 2 });
  });

  it('holds a slot from queued through dialing and active, and frees it when the call ends', async () => {
    const clock = manualClock();
    const { simulator, url } = await start({ concurrencyLimit: 2, lifecycle: EXACT_CALLS, now: clock.now });
    const created = await create(url, calls(2));
    const id = created.body.results?.[0]?.id ?? '';

    const statusAt = async () => (await get(url, `/conversations/${id}`)).body.conversationStatus;
    expect(await statusAt()).toBe('queued');
    clock.advance(150);
    expect(await statusAt()).toBe('dialing');
    clock.advance(500);
    expect(await statusAt()).toBe('active');
    expect((await create(url, calls(1))).status).toBe(429);

    clock.advance(550); // 1200 ms after the create
    expect(await statusAt()).toBe('ended');
    const ended = await get(url, `/conversations/${id}`);
    expect(ended.body.recordingStatus).toBe('completed');
    expect(['agent_ended', 'user_ended']).toContain(ended.body.endReason);
    expect(ended.body.callEndTime).toBeTypeOf('string');
    expect(ended.headers.get('x-ratelimit-remaining')).toBe('2');

    const refill = await create(url, calls(2));
    expect(refill.status).toBe(200);
    expect(refill.remaining).toBe('0');
    expect(simulator.budgetStats()[DEMO.workspaceId]).toMatchObject({
      held: 2,
      peak: 2,
      created: 4,
      rejected429: 1,
      durationsMs: [1200, 1200],
      busySlotMs: 2400,
    });
  });

  it('puts refused items in errors without spending slots, and fails malformed bodies whole', async () => {
    const clock = manualClock();
    const { simulator, url } = await start({ concurrencyLimit: 1, lifecycle: EXACT_CALLS, now: clock.now });
    const mixed = await create(url, [
      { agentId: 'no-such-agent', conversationType: 'chat', dynamicVariables: {} },
      { agentId: AGENT, conversationType: 'telephony', dynamicVariables: {} },
      ...calls(1),
    ]);
    expect(mixed.status).toBe(200);
    expect(mixed.body.results).toHaveLength(1);
    expect(mixed.body.errors).toHaveLength(2);
    expect(mixed.remaining).toBe('0');

    const malformed = await create(url, [{ agentId: AGENT, conversationType: 'chat', dynamicVariables: 'not an object' }]);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toContain('dynamicVariables');
    expect(simulator.budgetStats()[DEMO.workspaceId]).toMatchObject({ created: 1, rejected429: 0 });
  });

  it('answers wrong credentials with 401 and no budget headers', async () => {
    const { url } = await start({});
    const response = await fetch(`${url}/conversations`, {
      headers: { 'x-api-key': DEMO.apiKey, 'x-workspace-id': ACME.workspaceId },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'Unauthorized' });
    expect(response.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('keeps each account budget apart and lets a test shrink one at runtime', async () => {
    const clock = manualClock();
    const { simulator, url } = await start({ concurrencyLimit: 2, lifecycle: EXACT_CALLS, now: clock.now });
    const acmeAgents = (await get(url, '/agents', ACME)).body.results as { id: string }[];
    const acmeAgent = acmeAgents[0]?.id ?? '';
    expect((await create(url, calls(2), ACME)).body.errors).toHaveLength(2); // demo's agents are not acme's
    expect((await create(url, calls(2))).remaining).toBe('0');
    expect((await create(url, calls(2, [], acmeAgent), ACME)).remaining).toBe('0');

    simulator.setConcurrencyLimit(ACME.workspaceId, 3);
    expect((await create(url, calls(1, [], acmeAgent), ACME)).remaining).toBe('0');
    simulator.setConcurrencyLimit(DEMO.workspaceId, 1); // another client took a share of the workspace
    const squeezed = await get(url, '/agents');
    expect([squeezed.headers.get('x-ratelimit-limit'), squeezed.headers.get('x-ratelimit-remaining')]).toEqual(['1', '0']);
    expect(simulator.budgetStats()).toMatchObject({
      [DEMO.workspaceId]: { limit: 1, held: 2, created: 2 },
      [ACME.workspaceId]: { limit: 3, held: 3, created: 3 },
    });
  });

  it('reports request ids that were created more than once', async () => {
    const clock = manualClock();
    const { simulator, url } = await start({ concurrencyLimit: 10, lifecycle: EXACT_CALLS, now: clock.now });
    await create(url, calls(2, ['once', 'twice']));
    await create(url, calls(1, ['twice']));
    await create(url, calls(1, ['thrice']));
    await create(url, calls(2, ['thrice', 'thrice']));
    expect(simulator.budgetStats()[DEMO.workspaceId]?.duplicateRequestIds.sort()).toEqual(['thrice', 'twice']);
    const stats = (await (await fetch(`${simulator.url}/__simulator/stats`)).json()) as {
      budgets: Record<string, { created: number }>;
    };
    expect(stats.budgets[DEMO.workspaceId]?.created).toBe(6);
  });

  it('never lets seeded past conversations hold slots', async () => {
    const { simulator, url } = await start({ historicConversations: 150 });
    const listed = await get(url, '/conversations?limit=1');
    expect(listed.body.total).toBe(151);
    expect(listed.headers.get('x-ratelimit-remaining')).toBe('20');
    expect(simulator.budgetStats()[DEMO.workspaceId]).toMatchObject({ held: 0, created: 0, busySlotMs: 0 });
  });

  it('frees slots on the real clock when short calls end', async () => {
    const { simulator, url } = await start({
      concurrencyLimit: 2,
      lifecycle: {
        queueMs: { kind: 'fixed', ms: 1 },
        dialMs: { kind: 'uniform', minMs: 1, maxMs: 5 },
        talkMs: { kind: 'fixed', ms: 10 },
        unansweredRate: 0.5,
        failRate: 0,
      },
    });
    expect((await create(url, calls(2))).status).toBe(200);
    let accepted = 0;
    for (let attempt = 0; attempt < 200 && accepted < 4; attempt++) {
      const response = await create(url, calls(1));
      if (response.status === 200) accepted++;
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(accepted).toBe(4);
    const stats = simulator.budgetStats()[DEMO.workspaceId];
    expect(stats?.created).toBe(6);
    expect(stats?.peak).toBeLessThanOrEqual(2);
  });
});
