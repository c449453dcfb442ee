import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/simulators/demoAccounts.ts';
import { ORATION_JOURNAL_FILE } from '../../src/simulators/oration/orationJournal.ts';
import { createOrationSimulator, type OrationSimulator, type OrationSimulatorOptions } from '../../src/simulators/oration/orationSimulator.ts';
import { ORATION_DOCUMENTED_IDS } from '../../src/simulators/oration/samples.ts';

const [DEMO, ACME] = DEMO_ACCOUNTS.oration;
const AGENT = ORATION_DOCUMENTED_IDS.exampleAgent;
const T0 = Date.parse('2026-11-21T10:00:00Z');

/** Every call lasts exactly 1200 ms from create to end: 100 queued, 100 dialing, 1000 active. */
const EXACT_CALLS: OrationSimulatorOptions['lifecycle'] = {
  queueMs: { kind: 'fixed', ms: 100 },
  dialMs: { kind: 'fixed', ms: 100 },
  talkMs: { kind: 'fixed', ms: 1000 },
  unansweredRate: 0,
  failRate: 0,
};

interface Account {
  apiKey: string;
  workspaceId: string;
}

let stateDir: string;
let nowMs: number;
let running: OrationSimulator[] = [];

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'oration-state-'));
  nowMs = T0;
});
afterEach(async () => {
  await Promise.all(running.map((simulator) => simulator.close()));
  running = [];
  rmSync(stateDir, { recursive: true, force: true });
});

/** A simulator keeping its state in this test's directory, on the test's clock, on a port of its own. */
async function start(): Promise<{ simulator: OrationSimulator; url: string }> {
  const simulator = createOrationSimulator({
    historicConversations: 20,
    concurrencyLimit: 3,
    lifecycle: EXACT_CALLS,
    now: () => nowMs,
    stateDir,
  });
  running.push(simulator);
  return { simulator, url: `${await simulator.listen(0)}/api/v2` };
}

async function stop(simulator: OrationSimulator): Promise<void> {
  await simulator.close();
  running = running.filter((each) => each !== simulator);
}

const headersFor = (account: Account) => ({
  'x-api-key': account.apiKey,
  'x-workspace-id': account.workspaceId,
  'content-type': 'application/json',
});

async function create(url: string, requestIds: readonly string[], account: Account = DEMO) {
  const conversations = requestIds.map((requestId) => ({
    agentId: account === DEMO ? AGENT : undefined,
    conversationType: 'chat',
    dynamicVariables: { customerName: `Customer ${requestId}`, switchboardRequestId: requestId },
  }));
  const response = await fetch(`${url}/conversations`, { method: 'POST', headers: headersFor(account), body: JSON.stringify({ conversations }) });
  const body = (await response.json()) as { results?: { id: string }[] };
  return { status: response.status, remaining: response.headers.get('x-ratelimit-remaining'), ids: (body.results ?? []).map((result) => result.id) };
}

async function read(url: string, id: string, account: Account = DEMO) {
  const response = await fetch(`${url}/conversations/${id}`, { headers: headersFor(account) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Any agent of the acme account (the documented ids belong to the demo account only). */
async function acmeAgent(url: string): Promise<string> {
  const response = await fetch(`${url}/agents?limit=1`, { headers: headersFor(ACME) });
  const body = (await response.json()) as { results: { id: string }[] };
  const agent = body.results[0];
  if (!agent) throw new Error('the acme account has no agent');
  return agent.id;
}

describe('Oration simulator state kept in a directory survives a restart', () => {
  it('resumes the created conversations (same ids, statuses on schedule), holds their slots and issues new ids', async () => {
    const first = await start();
    const early = await create(first.url, ['a-1', 'a-2']);
    nowMs = T0 + 1_000;
    const late = await create(first.url, ['b-1']);
    expect(early.ids).toHaveLength(2);
    expect(late.ids).toHaveLength(1);
    const beforeIds = [...early.ids, ...late.ids];

    // What the first simulator says at the moment of the restart: the early calls ended, the late one is active.
    nowMs = T0 + 1_500;
    const before = await Promise.all(beforeIds.map((id) => read(first.url, id)));
    expect(before.map((answer) => answer.body.conversationStatus)).toEqual(['ended', 'ended', 'active']);
    await stop(first.simulator);

    const second = await start();
    const after = await Promise.all(beforeIds.map((id) => read(second.url, id)));
    expect(after).toEqual(before);

    // The late call still holds its slot: of 3, 2 are free, so a create of 3 is refused whole.
    expect(second.simulator.budgetStats()[DEMO.workspaceId]).toMatchObject({ held: 1, created: 3, duplicateRequestIds: [] });
    expect((await create(second.url, ['c-1', 'c-2', 'c-3'])).status).toBe(429);
    const next = await create(second.url, ['c-1', 'c-2']);
    expect(next.status).toBe(200);
    expect(next.remaining).toBe('0');
    expect(next.ids).toHaveLength(2);
    expect(new Set([...beforeIds, ...next.ids]).size).toBe(5);

    // Status keeps following the schedule drawn before the restart.
    nowMs = T0 + 2_200;
    expect((await read(second.url, late.ids[0]!)).body.conversationStatus).toBe('ended');
    expect(second.simulator.budgetStats()[DEMO.workspaceId]).toMatchObject({ held: 2, created: 5 });
  });

  it('keeps each account its own across the restart', async () => {
    const first = await start();
    const agentId = await acmeAgent(first.url);
    const response = await fetch(`${first.url}/conversations`, {
      method: 'POST',
      headers: headersFor(ACME),
      body: JSON.stringify({ conversations: [{ agentId, conversationType: 'chat', dynamicVariables: { switchboardRequestId: 'acme-1' } }] }),
    });
    const [acmeConversation] = ((await response.json()) as { results: { id: string }[] }).results;
    await stop(first.simulator);

    const second = await start();
    expect((await read(second.url, acmeConversation!.id, ACME)).status).toBe(200);
    expect((await read(second.url, acmeConversation!.id, DEMO)).status).toBe(404);
    expect(second.simulator.budgetStats()).toMatchObject({ [ACME.workspaceId]: { held: 1 }, [DEMO.workspaceId]: { held: 0 } });
  });

  it('drops a last line cut short by a kill and appends cleanly after it', async () => {
    const first = await start();
    const kept = await create(first.url, ['kept']);
    await stop(first.simulator);
    const journal = join(stateDir, ORATION_JOURNAL_FILE);
    appendFileSync(journal, '{"v":1,"workspaceId":"demo-oration-wor');

    const second = await start();
    expect((await read(second.url, kept.ids[0]!)).status).toBe(200);
    const next = await create(second.url, ['next']);
    await stop(second.simulator);
    const lines = readFileSync(journal, 'utf8').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines.slice(0, 2).map((line) => (JSON.parse(line) as { conversations: { input: { id: string } }[] }).conversations[0]?.input.id)).toEqual([
      kept.ids[0],
      next.ids[0],
    ]);
  });

  it('refuses a second simulator on a directory in use, and lets one in once the first is closed', async () => {
    const first = await start();
    const kept = await create(first.url, ['kept']);
    expect(() => createOrationSimulator({ stateDir })).toThrow(
      `The simulator state directory ${stateDir} is in use by this process (pid ${process.pid} on `,
    );
    await stop(first.simulator);
    const second = await start();
    expect((await read(second.url, kept.ids[0]!)).status).toBe(200);
  });

  it('refuses to start on a journal with a damaged line, naming the file and line', async () => {
    const first = await start();
    await create(first.url, ['one']);
    await stop(first.simulator);
    const journal = join(stateDir, ORATION_JOURNAL_FILE);
    appendFileSync(journal, '{"v":1,"workspaceId":"demo-oration-workspace"}\n');
    expect(() => createOrationSimulator({ stateDir })).toThrow(`${journal} line 2 is not a journal entry (randomState: `);
  });
});
