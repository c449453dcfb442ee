import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEYS } from '../../src/demo/demoEnvironment.ts';
import { createLogger } from '../../src/logger.ts';
import { DEMO_ACCOUNTS } from '../../src/simulators/demoAccounts.ts';
import type { Fault, SimulatorServer } from '../../src/simulators/shared/simulatorServer.ts';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../support/testGateway.ts';

/**
 * One test per fault mode the simulators can inject, each asserting what a user of the gateway
 * sees: the other providers' data, an error with the right code and provider on exactly the
 * affected fields, no crash, and the full answer again once the fault clears. Every response and
 * log line is kept, and the last test searches them all for credentials and raw upstream bodies.
 *
 * Timeouts are short (300 ms) and retry sleeps are recorded instead of waited, so the suite
 * asserts counts and requested delays, never elapsed time.
 */
const QUERY = /* GraphQL */ `
  {
    conversations(first: 30) {
      totalCount
      edges { node { id provider status rawStatus agent { id name } prospect { id name } } }
    }
  }
`;

interface Node {
  id: string;
  provider: 'ORATION' | 'TRATA' | 'VOICEOS';
  status: string;
  rawStatus: string | null;
  agent: { id: string; name: string | null } | null;
  prospect: { id: string; name: string | null } | null;
}
interface Data {
  conversations: { totalCount: number | null; edges: { node: Node }[] };
}
type GraphQLError = NonNullable<GraphQLResponse['body']['errors']>[number];

/** Marks text that only a raw upstream body contains: it must never reach a client or a log. */
const UPSTREAM_BODY_MARKER = 'db-7.internal.trata';
const SECRETS = [
  ...Object.values(DEMO_API_KEYS),
  ...DEMO_ACCOUNTS.oration.flatMap((account) => [account.apiKey, account.workspaceId]),
  ...DEMO_ACCOUNTS.trata.map((account) => account.token),
  ...DEMO_ACCOUNTS.voiceos.map((account) => account.token),
];

const responses: string[] = [];
const logLines: string[] = [];
const logger = createLogger('debug', (line) => logLines.push(line));

async function query(gw: TestGateway, apiKey = 'demo-key', text = QUERY): Promise<GraphQLResponse<Data>> {
  const response = await gw.query<Data>(text, undefined, apiKey);
  responses.push(JSON.stringify(response.body));
  return response;
}

const providersIn = (response: GraphQLResponse<Data>) => new Set(response.body.data?.conversations.edges.map((e) => e.node.provider));
const nodesOf = (response: GraphQLResponse<Data>, provider: Node['provider']) =>
  response.body.data!.conversations.edges.map((e) => e.node).filter((node) => node.provider === provider);

describe('fault suite: what a user sees when one provider misbehaves', () => {
  let gw: TestGateway;
  const sleeps: number[] = [];
  const sim = (name: 'oration' | 'trata' | 'voiceos'): SimulatorServer => gw.demo.simulators[name]!.server;
  const fault = (name: 'oration' | 'trata' | 'voiceos', endpoint: string, value: Fault) => sim(name).setFault(endpoint, value);

  beforeAll(async () => {
    gw = await startTestGateway(
      {
        SWITCHBOARD_UPSTREAM_TIMEOUT_MS: '300',
        SWITCHBOARD_UPSTREAM_RETRIES: '1',
        SWITCHBOARD_UPSTREAM_MAX_RETRY_AFTER_MS: '1000',
        // This suite looks at one failure at a time; the breaker has its own suite below.
        SWITCHBOARD_BREAKER_FAILURES: '1000',
      },
      { logger, resilienceHooks: { sleep: async (ms) => void sleeps.push(ms) } },
    );
  });
  afterEach(async () => {
    // Recovery: with the fault cleared, the same query answers in full and the gateway is healthy.
    for (const name of ['oration', 'trata', 'voiceos'] as const) sim(name).clearFaults();
    const recovered = await query(gw);
    expect(recovered.body.errors).toBeUndefined();
    expect(providersIn(recovered)).toEqual(new Set(['ORATION', 'TRATA', 'VOICEOS']));
    expect((await fetch(gw.url.replace('/graphql', '/health'))).status).toBe(200);
    for (const name of ['oration', 'trata', 'voiceos'] as const) sim(name).resetStats();
  });
  afterAll(async () => {
    await gw.close();
  });

  /** The provider's list failed: the others' conversations arrive, with one error naming it. */
  function expectListFailure(response: GraphQLResponse<Data>, provider: Node['provider'], code: string): GraphQLError {
    expect(response.status).toBe(200);
    expect(providersIn(response)).toEqual(new Set(['ORATION', 'TRATA', 'VOICEOS'].filter((p) => p !== provider)));
    expect(response.body.errors).toHaveLength(1);
    const [error] = response.body.errors!;
    expect(error).toMatchObject({ path: ['conversations'], extensions: { code, provider } });
    return error!;
  }

  it('status 5xx: the list of the failing provider is missing, retried once, and its body never shown', async () => {
    fault('trata', '*', { kind: 'status', status: 500, body: { detail: `pool exhausted on ${UPSTREAM_BODY_MARKER}` } });
    const error = expectListFailure(await query(gw), 'TRATA', 'PROVIDER_UNAVAILABLE');
    expect(error.message).toBe('TRATA answered HTTP 500 on conversations.list');
    expect(sim('trata').count('GET /v1/conversations')).toBe(2);
  });

  it('status 5xx, intermittent: one retry absorbs it and the user sees nothing', async () => {
    const before = sleeps.length;
    fault('trata', 'GET /v1/conversations', { kind: 'status', status: 503, times: 1 });
    const response = await query(gw);
    expect(response.body.errors).toBeUndefined();
    expect(providersIn(response)).toEqual(new Set(['ORATION', 'TRATA', 'VOICEOS']));
    expect(sim('trata').count('GET /v1/conversations')).toBe(2);
    expect(sim('trata').stats().faulted).toBe(1);
    expect(sleeps.length).toBe(before + 1);
  });

  it('status 401: revoked provider credentials are PROVIDER_UNAUTHORIZED, not retried', async () => {
    fault('voiceos', 'GET /v1/conversations', { kind: 'status', status: 401, body: { detail: UPSTREAM_BODY_MARKER } });
    expectListFailure(await query(gw), 'VOICEOS', 'PROVIDER_UNAUTHORIZED');
    expect(sim('voiceos').count('GET /v1/conversations')).toBe(1);
  });

  it('timeout: a provider that never answers is PROVIDER_TIMEOUT after the configured time', async () => {
    fault('voiceos', 'GET /v1/conversations', { kind: 'timeout' });
    const error = expectListFailure(await query(gw), 'VOICEOS', 'PROVIDER_TIMEOUT');
    expect(error.message).toBe('VOICEOS did not answer conversations.list within 300 ms');
    expect(sim('voiceos').count('GET /v1/conversations')).toBe(2);
  });

  it('reset: a dropped connection is PROVIDER_UNAVAILABLE', async () => {
    fault('oration', 'GET /api/v2/conversations', { kind: 'reset' });
    const error = expectListFailure(await query(gw), 'ORATION', 'PROVIDER_UNAVAILABLE');
    expect(error.message).toMatch(/^ORATION could not be reached on conversations\.list/);
    expect(sim('oration').count('GET /api/v2/conversations')).toBe(2);
  });

  it('slow: an answer within the timeout is used, one past it is PROVIDER_TIMEOUT', async () => {
    fault('trata', 'GET /v1/conversations', { kind: 'slow', delayMs: 50 });
    const inTime = await query(gw);
    expect(inTime.body.errors).toBeUndefined();
    expect(providersIn(inTime).has('TRATA')).toBe(true);

    fault('trata', 'GET /v1/conversations', { kind: 'slow', delayMs: 1000 });
    expectListFailure(await query(gw), 'TRATA', 'PROVIDER_TIMEOUT');
  });

  it('malformed JSON: PROVIDER_BAD_RESPONSE, not retried, and none of the body shown', async () => {
    fault('trata', 'GET /v1/conversations', { kind: 'malformedJson' });
    const response = await query(gw);
    const error = expectListFailure(response, 'TRATA', 'PROVIDER_BAD_RESPONSE');
    expect(error.message).toBe('TRATA sent a body that is not JSON on conversations.list');
    expect(JSON.stringify(response.body)).not.toContain('trunc');
    expect(sim('trata').count('GET /v1/conversations')).toBe(1);
  });

  it('drift, a required field missing: PROVIDER_BAD_RESPONSE naming the field paths, never values', async () => {
    fault('oration', 'GET /api/v2/conversations', { kind: 'drift', field: 'createdAt', to: 'delete' });
    const error = expectListFailure(await query(gw), 'ORATION', 'PROVIDER_BAD_RESPONSE');
    const invalidFields = error.extensions!.invalidFields as string[];
    expect(invalidFields.length).toBeGreaterThan(0);
    expect(invalidFields.every((path) => /^results\.\d+\.createdAt$/.test(path))).toBe(true);
  });

  it('drift, an end time that is no time: PROVIDER_BAD_RESPONSE on the fields that read it, for every provider, not a call that never ended', async () => {
    // Oration's and Trata's optional times took any string and mapped it to null: a Trata call
    // that had ended answered IN_PROGRESS with no end, and left `statuses: [ENDED]`.
    const endFields = { oration: ['GET /api/v2/conversations', 'callEndTime', 'results'], trata: ['GET /v1/conversations', 'timestampEnd', 'data'], voiceos: ['GET /v1/conversations', 'end_time', 'conversations'] } as const;
    for (const [name, [endpoint, field, listPath]] of Object.entries(endFields)) {
      const provider = name.toUpperCase() as Node['provider'];
      fault(name as keyof typeof endFields, endpoint, { kind: 'drift', field, to: { value: 'not-a-date' } });
      const response = await gw.query<{ conversations: { nodes: { id: string; endedAt: string | null }[] } }>(
        `{ conversations(first: 5, filter: { providers: [${provider}] }) { nodes { id endedAt } } }`,
      );
      const nodes = response.body.data?.conversations.nodes ?? [];
      expect(nodes.map((node) => node.endedAt)).toEqual([null, null, null, null, null]);
      expect(response.body.errors?.map((error) => [error.path?.slice(2), error.extensions?.code, error.extensions?.provider, error.extensions?.invalidFields])).toEqual(
        nodes.map((_, index) => [[index, 'endedAt'], 'PROVIDER_BAD_RESPONSE', provider, [`${listPath}.${index}.${field}`]]),
      );
      sim(name as keyof typeof endFields).clearFaults();
    }
    // Text Date.parse reads is no ISO time: "1" read as 2001, "12345" as the year 12345, 31
    // February as 2 March (Oration and VoiceOS fell back to it; an outside trial).
    for (const value of ['1', '12345', '2024-02-31T00:00:00Z', 'garbage 2020']) {
      fault('voiceos', 'GET /v1/conversations', { kind: 'drift', field: 'end_time', to: { value } });
      const response = await gw.query<{ conversations: { nodes: { endedAt: string | null }[] } }>('{ conversations(first: 1, filter: { providers: [VOICEOS] }) { nodes { endedAt } } }');
      expect([value, response.body.data?.conversations.nodes, response.body.errors?.map((error) => error.extensions?.invalidFields)]).toEqual([
        value,
        [{ endedAt: null }],
        [['conversations.0.end_time']],
      ]);
    }
    sim('voiceos').clearFaults();
    // Trata's status reads its end time too (an end means ENDED): not known, so not answered.
    fault('trata', 'GET /v1/conversations', { kind: 'drift', field: 'timestampEnd', to: { value: 'not-a-date' } });
    const trata = await gw.query('{ conversations(first: 1, filter: { providers: [TRATA] }) { nodes { status } } }');
    // The status alone is null (it nulled the whole answer while it was non-null).
    expect(trata.body.data).toEqual({ conversations: { nodes: [{ status: null }] } });
    expect(trata.body.errors?.map((error) => [error.path, error.extensions?.code, error.extensions?.invalidFields])).toEqual([
      [['conversations', 'nodes', 0, 'status'], 'PROVIDER_BAD_RESPONSE', ['data.0.timestampEnd']],
    ]);
  });

  it('drift, a number an Int cannot hold: PROVIDER_BAD_RESPONSE on that field, not an internal error', async () => {
    // A plain z.number() took 1.5 or 99999999999; graphql-js then failed the field as
    // INTERNAL_SERVER_ERROR with a logged stack (an outside trial).
    for (const value of [1.5, 99_999_999_999, -3]) {
      fault('oration', 'GET /api/v2/agents', { kind: 'drift', field: 'maxDurationSeconds', to: { value } });
      const response = await gw.query<{ agents: { nodes: { maxDurationSeconds: number | null }[] } }>('{ agents(first: 1, providers: [ORATION]) { nodes { maxDurationSeconds } } }');
      expect([value, response.body.data?.agents.nodes, response.body.errors?.map((error) => [error.extensions?.code, error.extensions?.invalidFields])]).toEqual([
        value,
        [{ maxDurationSeconds: null }],
        [['PROVIDER_BAD_RESPONSE', ['results.0.maxDurationSeconds']]],
      ]);
    }
  });

  it('drift, a wrong type on a reference: only the affected fields fail', async () => {
    fault('oration', 'GET /api/v2/agents', { kind: 'drift', field: 'id', to: { value: 12 } });
    const response = await query(gw);
    const oration = nodesOf(response, 'ORATION');
    expect(oration.length).toBeGreaterThan(0);
    expect(oration.every((node) => node.agent === null)).toBe(true);
    expect(nodesOf(response, 'TRATA').every((node) => node.agent !== null)).toBe(true);
    expect(response.body.errors).toHaveLength(oration.length);
    for (const error of response.body.errors!) {
      expect(error.extensions).toMatchObject({ code: 'PROVIDER_BAD_RESPONSE', provider: 'ORATION' });
      expect(error.path?.at(-1)).toBe('agent');
    }
  });

  it('drift on a field every record has (status, adminComments, hooks): that field errs, the rest of the page answers', async () => {
    // These fields were non-null: one garbled record nulled the whole answer (`data: null`) for
    // every provider's conversations or agents (an outside trial).
    fault('voiceos', 'GET /v1/conversations', { kind: 'drift', field: 'status', to: { value: 7 } });
    fault('trata', 'GET /v1/conversations', { kind: 'drift', field: 'adminComments', to: { value: 'none' } });
    const page = await query(gw, 'demo-key', '{ conversations(first: 30) { edges { node { provider status adminComments { comment } } } } }');
    const nodes = (page.body.data as unknown as { conversations: { edges: { node: { provider: string; status: string | null; adminComments: unknown[] | null } }[] } }).conversations.edges.map((edge) => edge.node);
    expect(nodes).toHaveLength(30);
    const broken = nodes.flatMap((node, index) =>
      node.provider === 'VOICEOS' ? [[index, 'status', 'VOICEOS']] : node.provider === 'TRATA' ? [[index, 'adminComments', 'TRATA']] : [],
    );
    expect(broken.length).toBeGreaterThan(0);
    expect(page.body.errors?.map((error) => [error.path?.[2], error.path?.[4], error.extensions?.provider, error.extensions?.code])).toEqual(
      broken.map(([index, field, provider]) => [index, field, provider, 'PROVIDER_BAD_RESPONSE']),
    );
    expect(nodes.filter((node) => node.provider === 'ORATION').every((node) => node.status !== null && Array.isArray(node.adminComments))).toBe(true);

    fault('voiceos', 'GET /v1/agents', { kind: 'drift', field: 'hooks', to: { value: 'hang_up' } });
    const agents = await query(gw, 'demo-key', '{ agents(first: 50) { nodes { provider name hooks { type } hookEvents } } }');
    const agentNodes = (agents.body.data as unknown as { agents: { nodes: { provider: string; name: string | null; hooks: unknown[] | null; hookEvents: string[] | null }[] } }).agents.nodes;
    const voiceos = agentNodes.filter((agent) => agent.provider === 'VOICEOS');
    expect(voiceos.length).toBeGreaterThan(0);
    expect(voiceos.map((agent) => [agent.hooks, agent.hookEvents])).toEqual(voiceos.map(() => [null, null]));
    expect(voiceos.every((agent) => agent.name !== null)).toBe(true);
    expect(agentNodes.some((agent) => agent.provider !== 'VOICEOS')).toBe(true);
    expect(new Set(agents.body.errors?.map((error) => `${error.extensions?.provider} ${error.extensions?.code} ${String(error.path?.at(-1))}`))).toEqual(
      new Set(['VOICEOS PROVIDER_BAD_RESPONSE hooks', 'VOICEOS PROVIDER_BAD_RESPONSE hookEvents']),
    );
  });

  it('drift, free-form JSON nested thousands deep: PROVIDER_BAD_RESPONSE on that field, the rest answers', async () => {
    // Serializing the answer overflowed the stack: a 500 for the whole query, nothing logged as an error.
    const deepText = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    // As an object, the simulator (in this process) must serialize it: deep past the bound, not past the stack.
    const deepObject = JSON.parse(`${'{"a":'.repeat(1_000)}1${'}'.repeat(1_000)}`) as unknown;
    const text = `{ conversations(first: 3, filter: { providers: [ORATION] }) { edges { node { id dynamicVariables postCall { metadata } } } } }`;
    for (const [field, value, failing] of [
      ['dynamicVariables', deepText, 'dynamicVariables'],
      ['dynamicVariables', deepObject, 'dynamicVariables'],
      ['postCallMetadata', deepObject, 'postCall'],
    ] as const) {
      fault('oration', 'GET /api/v2/conversations', { kind: 'drift', field, to: { value } });
      const response = await gw.query<{ conversations: { edges: { node: Record<string, unknown> }[] } }>(text);
      expect(response.status).toBe(200);
      const nodes = response.body.data!.conversations.edges.map((edge) => edge.node);
      expect(nodes.length).toBeGreaterThan(0);
      expect(nodes.every((node) => typeof node.id === 'string' && node[failing] === null)).toBe(true);
      expect(response.body.errors).toHaveLength(nodes.length);
      for (const error of response.body.errors!) {
        expect(error.extensions).toMatchObject({ code: 'PROVIDER_BAD_RESPONSE', provider: 'ORATION', invalidFields: [expect.stringMatching(new RegExp(`^results\\.\\d+\\.${field}$`))] });
        expect(error.path?.at(-1)).toBe(failing);
      }
      sim('oration').clearFaults();
    }
  });

  it('free-form JSON keeps the digits of numbers a double cannot hold, as strings; documented numbers stay numbers', async () => {
    // Found reading the exact-data promise against the wire: JSON.parse of the whole body read a
    // metadata account number 12345678901234567890 as 12345678901234567000, and 1e400 as null.
    const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;
    const sent = { account: rawJson('12345678901234567890'), huge: rawJson('1e400'), rate: 0.125, nested: { list: [rawJson('-9007199254740993'), 9007199254740991] } };
    const kept = { account: '12345678901234567890', huge: '1e400', rate: 0.125, nested: { list: ['-9007199254740993', 9007199254740991] } };
    fault('oration', 'GET /api/v2/conversations', { kind: 'drift', field: 'postCallMetadata', to: { value: sent } });
    fault('voiceos', '*', { kind: 'drift', field: 'metadata', to: { value: sent } });
    const response = await gw.query<{ conversations: { edges: { node: { provider: string; postCall: { metadata: unknown } | null; agent: { metadata: unknown } | null } }[] } }>(
      `{ conversations(first: 30, filter: { providers: [ORATION, VOICEOS] }) { edges { node { provider postCall { metadata } agent { metadata } } } } }`,
    );
    expect(response.body.errors).toBeUndefined();
    const nodes = response.body.data!.conversations.edges.map((edge) => edge.node);
    const oration = nodes.filter((node) => node.provider === 'ORATION' && node.postCall !== null);
    const voiceos = nodes.filter((node) => node.provider === 'VOICEOS' && node.agent !== null);
    expect(oration.length).toBeGreaterThan(0);
    expect(voiceos.length).toBeGreaterThan(0);
    expect(oration.map((node) => node.postCall!.metadata)).toEqual(oration.map(() => kept));
    expect(voiceos.map((node) => node.agent!.metadata)).toEqual(voiceos.map(() => kept));
  });

  it('drift, a new enum value: tolerated as UNKNOWN with the raw value kept', async () => {
    fault('voiceos', 'GET /v1/conversations', { kind: 'drift', field: 'status', to: { value: 'on_hold' } });
    const response = await query(gw);
    expect(response.body.errors).toBeUndefined();
    const voiceos = nodesOf(response, 'VOICEOS');
    expect(voiceos.length).toBeGreaterThan(0);
    expect(voiceos.every((node) => node.status === 'UNKNOWN' && node.rawStatus === 'on_hold')).toBe(true);
  });

  it('rate limit, long Retry-After: the affected fields say PROVIDER_RATE_LIMITED and when to come back', async () => {
    fault('trata', 'GET /v1/prospects', { kind: 'rateLimit', retryAfterSeconds: 60 });
    const before = sleeps.length;
    const response = await query(gw);
    const trata = nodesOf(response, 'TRATA');
    expect(response.body.data!.conversations.edges).toHaveLength(30);
    expect(trata.length).toBeGreaterThan(0);
    expect(trata.every((node) => node.prospect === null && node.agent !== null)).toBe(true);
    expect(response.body.errors).toHaveLength(trata.length);
    for (const error of response.body.errors!) {
      expect(error.extensions).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', provider: 'TRATA', retryAfterSeconds: 60 });
      expect(error.path?.at(-1)).toBe('prospect');
    }
    // Not waited out (longer than SWITCHBOARD_UPSTREAM_MAX_RETRY_AFTER_MS) and not retried.
    expect(sleeps.length).toBe(before);
    expect(sim('trata').count('GET /v1/prospects')).toBe(1);
  });

  it('rate limit, a storm of 3 requests: Retry-After is waited out, then the provider answers again', async () => {
    fault('trata', 'GET /v1/conversations', { kind: 'rateLimit', retryAfterSeconds: 1, times: 3 });
    const before = sleeps.length;
    // Two attempts (one retry after the requested second), both inside the storm.
    expectListFailure(await query(gw), 'TRATA', 'PROVIDER_RATE_LIMITED');
    expect(sleeps.slice(before)).toEqual([1000]);
    // The third request of the storm is absorbed by the retry; the user sees full data.
    const response = await query(gw);
    expect(response.body.errors).toBeUndefined();
    expect(sleeps.slice(before)).toEqual([1000, 1000]);
    expect(sim('trata').stats().faulted).toBe(3);
    expect(sim('trata').count('GET /v1/conversations')).toBe(4);
  });

  it('status 5xx on a batched reference endpoint: agents of that provider fail, everything else answers', async () => {
    fault('oration', 'GET /api/v2/agents', { kind: 'status', status: 503 });
    const response = await query(gw);
    const oration = nodesOf(response, 'ORATION');
    expect(oration.every((node) => node.agent === null)).toBe(true);
    expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(oration.map(() => 'PROVIDER_UNAVAILABLE'));
    // One batched request per attempt for the whole page, not one per conversation.
    expect(sim('oration').count('GET /api/v2/agents')).toBe(2);
  });

  it('logged every failure without an unexpected error', () => {
    const entries = logLines.map((line) => JSON.parse(line) as { level: string; message: string; provider?: string; code?: string });
    expect(entries.filter((entry) => entry.level === 'error')).toEqual([]);
    const failures = entries.filter((entry) => entry.message === 'upstream call failed');
    expect(new Set(failures.map((entry) => entry.code))).toEqual(
      new Set(['PROVIDER_UNAVAILABLE', 'PROVIDER_UNAUTHORIZED', 'PROVIDER_TIMEOUT', 'PROVIDER_BAD_RESPONSE', 'PROVIDER_RATE_LIMITED']),
    );
  });
});

describe('fault suite: circuit breaker and concurrency cap', () => {
  let gw: TestGateway;
  let now = 0;
  beforeAll(async () => {
    gw = await startTestGateway(
      {
        SWITCHBOARD_UPSTREAM_RETRIES: '1',
        SWITCHBOARD_BREAKER_FAILURES: '2',
        SWITCHBOARD_BREAKER_COOLDOWN_MS: '10000',
        SWITCHBOARD_UPSTREAM_MAX_CONCURRENCY: '2',
      },
      { logger, resilienceHooks: { now: () => now, sleep: async () => {} } },
    );
  });
  afterAll(async () => {
    await gw.close();
  });

  it('opens after repeated outages, fails fast for every workspace, and probes the provider back', async () => {
    const trata = gw.demo.simulators.trata!.server;
    const breaker = gw.transports.TRATA.resilience!.breaker;
    trata.setFault('*', { kind: 'status', status: 503 });

    expect((await query(gw)).body.errors?.[0]?.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', provider: 'TRATA' });
    expect(trata.count('GET /v1/conversations')).toBe(2);
    expect(breaker.state).toBe('OPEN');

    // Open: no request reaches Trata, for this workspace or another; the others still answer.
    for (const apiKey of ['demo-key', 'acme-key']) {
      const response = await query(gw, apiKey);
      expect(providersIn(response)).toEqual(new Set(['ORATION', 'VOICEOS']));
      expect(response.body.errors?.[0]).toMatchObject({
        path: ['conversations'],
        extensions: { code: 'PROVIDER_UNAVAILABLE', provider: 'TRATA', retryAfterSeconds: 10 },
      });
    }
    expect(trata.count('GET /v1/conversations')).toBe(2);

    // The fault clears, but the cool-down is not over: still failing fast.
    trata.clearFaults();
    expect((await query(gw)).body.errors).toHaveLength(1);
    expect(trata.count('GET /v1/conversations')).toBe(2);

    // After the cool-down one probe goes through, succeeds, and closes the circuit.
    now += 10_000;
    const recovered = await query(gw);
    expect(recovered.body.errors).toBeUndefined();
    expect(providersIn(recovered)).toEqual(new Set(['ORATION', 'TRATA', 'VOICEOS']));
    expect(breaker.state).toBe('CLOSED');
    const transitions = logLines.filter((line) => line.includes('circuit breaker for TRATA'));
    expect(transitions.map((line) => (JSON.parse(line) as { circuit: string }).circuit)).toEqual(['OPEN', 'HALF_OPEN', 'CLOSED']);
  });

  it('never has more than the configured number of requests in flight to one provider', async () => {
    const voiceos = gw.demo.simulators.voiceos!.server;
    voiceos.resetStats();
    voiceos.setLatency({ minMs: 20, maxMs: 20 });
    const onlyVoiceOs = '{ conversations(first: 5, filter: { providers: [VOICEOS] }) { edges { node { id } } } }';
    const results = await Promise.all(Array.from({ length: 8 }, () => query(gw, 'demo-key', onlyVoiceOs)));
    voiceos.setLatency({ minMs: 0, maxMs: 0 });
    expect(results.every((r) => r.body.errors === undefined && r.body.data!.conversations.edges.length === 5)).toBe(true);
    expect(voiceos.count('GET /v1/conversations')).toBe(8);
    expect(voiceos.stats().peakInFlight).toBe(2);
  });
});

// Runs last in this file: it searches what the two suites above collected.
describe('fault suite: secrets', () => {
  it('no response and no log line of the fault suite holds a credential or a raw upstream body', () => {
    expect(responses.length).toBeGreaterThan(20);
    expect(logLines.length).toBeGreaterThan(10);
    for (const text of [...responses, ...logLines]) {
      for (const secret of SECRETS) expect(text).not.toContain(secret);
      expect(text).not.toContain(UPSTREAM_BODY_MARKER);
      expect(text).not.toContain('Simulated failure');
      expect(text).not.toMatch(/stacktrace/i);
    }
  });
});
