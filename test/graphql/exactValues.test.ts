import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/domain/globalId.ts';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../support/testGateway.ts';

/**
 * Exact values through GraphQL (issue 8, part 5): money that sums exactly, times at the
 * provider's precision, durations that mean one thing, and dynamic variables exactly as given.
 */

interface Node {
  id: string;
  nativeId: string;
  createdAt: string;
}
interface Connection<T> {
  conversations: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: T[] };
}

/** Exact decimal text -> integer units at `scale` digits, so the test itself never sums floats. */
function unitsAt(text: string, scale: number): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`not a decimal string: ${text}`);
  const [, sign, whole = '', fraction = ''] = match;
  if (fraction.length > scale) throw new Error(`${text} has more than ${scale} digits`);
  const units = BigInt(`${whole}${fraction.padEnd(scale, '0')}`);
  return sign === '-' ? -units : units;
}

describe('exact values through GraphQL', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  /** Every conversation of the given providers, newest first, following cursors. */
  async function allConversations<T>(selection: string, filter: Record<string, unknown>): Promise<T[]> {
    const nodes: T[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const { body }: GraphQLResponse<Connection<T>> = await gw.query<Connection<T>>(
        `query($after: String, $filter: ConversationFilter) {
          conversations(first: 100, after: $after, filter: $filter) { pageInfo { hasNextPage endCursor } nodes { ${selection} } }
        }`,
        { after, filter },
      );
      expect(body.errors).toBeUndefined();
      nodes.push(...body.data!.conversations.nodes);
      if (!body.data!.conversations.pageInfo.hasNextPage) return nodes;
      after = body.data!.conversations.pageInfo.endCursor;
    }
    throw new Error('more than 20 pages');
  }

  describe('money', () => {
    interface CostNode {
      nativeId: string;
      cost: { currency: string; total: string | null; components: { kind: string; amount: string | null }[] } | null;
    }

    it('gives every VoiceOS total as the exact sum of its components, as Decimal strings in USD', async () => {
      const nodes = await allConversations<CostNode>('nativeId cost { currency total components { kind amount } }', {
        providers: ['VOICEOS'],
      });
      expect(nodes).toHaveLength(150);
      const costed = nodes.filter((node) => node.cost !== null);
      let floatMisses = 0;
      for (const { nativeId, cost } of costed) {
        expect(cost!.currency, nativeId).toBe('USD');
        expect(typeof cost!.total, nativeId).toBe('string');
        const amounts = cost!.components.map((component) => component.amount!);
        const sum = amounts.reduce((total, amount) => total + unitsAt(amount, 9), 0n);
        expect(sum, nativeId).toBe(unitsAt(cost!.total!, 9));
        if (amounts.reduce((total, amount) => total + Number(amount), 0) !== Number(cost!.total)) floatMisses++;
      }
      // The demo data: 150 conversations, the two queued ones without a cost yet.
      expect(costed.length).toBe(148);
      // Why Decimal: the same amounts added up as floats miss the total in about a third of them.
      expect(floatMisses).toBe(47);
    });

    it('keeps the deprecated Float fields for existing clients', async () => {
      const { body } = await gw.query<{ conversations: { nodes: { cost: { total: string; totalUsd: number; components: { amount: string; amountUsd: number }[] } }[] } }>(
        `{ conversations(first: 5, filter: { providers: [VOICEOS], statuses: [ENDED] }) {
            nodes { cost { total totalUsd components { amount amountUsd } } } } }`,
      );
      expect(body.errors).toBeUndefined();
      for (const { cost } of body.data!.conversations.nodes) {
        expect(cost.totalUsd).toBe(Number(cost.total));
        for (const component of cost.components) expect(component.amountUsd).toBe(Number(component.amount));
      }
    });
  });

  describe('time precision', () => {
    it('writes Trata times with their microseconds', async () => {
      const id = toGlobalId({ provider: 'TRATA', type: 'Conversation', nativeId: 'con.1733513018.hRq7WmZa' });
      const { body } = await gw.query<{ conversation: { createdAt: string; startedAt: string; endedAt: string; transcript: { messages: { at: string }[] } } }>(
        `query($id: ID!) { conversation(id: $id) { createdAt startedAt endedAt transcript { messages { at } } } }`,
        { id },
      );
      expect(body.errors).toBeUndefined();
      const conversation = body.data!.conversation;
      expect(conversation.createdAt).toBe('2024-12-06T19:23:38.618331Z');
      expect(conversation.startedAt).toBe('2024-11-11T05:06:20.733912Z');
      expect(conversation.endedAt).toBe('2024-11-11T05:08:41.585099Z');
      expect(conversation.transcript.messages[0]!.at).toBe('2024-11-11T05:06:21.049339Z');
    });

    it('keeps millisecond providers as before', async () => {
      const { body } = await gw.query<{ conversations: { nodes: { createdAt: string }[] } }>(
        `{ conversations(first: 3, filter: { providers: [ORATION, VOICEOS] }) { nodes { createdAt } } }`,
      );
      expect(body.errors).toBeUndefined();
      for (const { createdAt } of body.data!.conversations.nodes) expect(createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it('keeps every fraction digit Oration and VoiceOS write, and reads a time without a zone as UTC whatever the server\'s zone', async () => {
      // Both were read by Date.parse: cut to milliseconds, and a zoneless time taken in the
      // server's zone (TZ=America/New_York: 11:54:28 became 16:54:28Z). A data trial's findings.
      const { voiceos, oration } = gw.demo.simulators;
      const zone = process.env.TZ;
      process.env.TZ = 'America/New_York';
      try {
        const ONE_ENDED = (provider: string, fields: string) => `{ conversations(first: 1, filter: { providers: [${provider}], statuses: [ENDED] }) { nodes { ${fields} } } }`;
        type Nodes = { conversations: { nodes: Record<string, string | number | null>[] } };
        voiceos!.server.setFault('GET /v1/conversations', { kind: 'drift', field: 'end_time', to: { value: '2026-11-20T11:59:30.123456Z' } });
        const precise = (await gw.query<Nodes>(ONE_ENDED('VOICEOS', 'startedAt endedAt durationSeconds'))).body.data!.conversations.nodes[0]!;
        const startMs = Date.parse(String(precise.startedAt));
        expect(precise.endedAt).toBe('2026-11-20T11:59:30.123456Z');
        expect(precise.durationSeconds).toBe(((Date.parse('2026-11-20T11:59:30.123Z') - startMs) * 1e6 + 456_000) / 1e9);
        voiceos!.server.setFault('GET /v1/conversations', { kind: 'drift', field: 'start_time', to: { value: '2026-11-20T11:54:28' } });
        expect((await gw.query<Nodes>(ONE_ENDED('VOICEOS', 'startedAt'))).body.data!.conversations.nodes[0]!.startedAt).toBe('2026-11-20T11:54:28.000Z');
        // An end before the start is no duration (it was a made-up 0), as talk time already was.
        voiceos!.server.setFault('GET /v1/conversations', { kind: 'drift', field: 'end_time', to: { value: '2000-01-01T00:00:00Z' } });
        expect((await gw.query<Nodes>(ONE_ENDED('VOICEOS', 'durationSeconds talkSeconds'))).body.data!.conversations.nodes[0]).toEqual({ durationSeconds: null, talkSeconds: null });
        oration!.server.setFault('GET /api/v2/conversations', { kind: 'drift', field: 'callStartTime', to: { value: '2026-11-01T23:31:08' } });
        expect((await gw.query<Nodes>(ONE_ENDED('ORATION', 'startedAt'))).body.data!.conversations.nodes[0]!.startedAt).toBe('2026-11-01T23:31:08.000Z');
        oration!.server.setFault('GET /api/v2/conversations', { kind: 'drift', field: 'userLeaveTime', to: { value: '2026-11-01T10:02:02.999999Z' } });
        const leave = (await gw.query<{ conversations: { nodes: { oration: { userLeaveTime: string } }[] } }>(ONE_ENDED('ORATION', 'oration { userLeaveTime }'))).body.data!;
        expect(leave.conversations.nodes[0]!.oration.userLeaveTime).toBe('2026-11-01T10:02:02.999999Z');
      } finally {
        process.env.TZ = zone;
        if (zone === undefined) delete process.env.TZ;
        voiceos!.server.clearFaults();
        oration!.server.clearFaults();
      }
    });

    it('does not return a Trata record for createdAfter set to its own createdAt (incremental pull)', async () => {
      const all = await allConversations<Node>('id nativeId createdAt', { providers: ['TRATA'] });
      expect(all).toHaveLength(120);
      // A record in the middle, whose createdAt has digits below the millisecond.
      const pivot = all.find((node, index) => index >= 20 && !/\.\d{3}000Z$/.test(node.createdAt))!;
      expect(pivot.createdAt).toMatch(/\.\d{6}Z$/);

      const newer = await allConversations<Node>('id nativeId createdAt', { providers: ['TRATA'], createdAfter: pivot.createdAt });
      const expectedNewer = all.filter((node) => node.createdAt > pivot.createdAt).map((node) => node.id);
      expect(newer.map((node) => node.id)).toEqual(expectedNewer);
      expect(newer.map((node) => node.id)).not.toContain(pivot.id);

      const older = await allConversations<Node>('id nativeId createdAt', { providers: ['TRATA'], createdBefore: pivot.createdAt });
      expect(older.map((node) => node.id)).toEqual(all.filter((node) => node.createdAt < pivot.createdAt).map((node) => node.id));
    });

    it('answers time bounds at the end of what a DateTime can write (year 9999) from every provider', async () => {
      // Trata's strict lower bound is the next microsecond, a millisecond provider's upper bound is
      // rounded up: past year 9999 both were sent as `+010000-…` and refused (PROVIDER_REJECTED).
      const last = '9999-12-31T23:59:59.999999999Z';
      const after = await gw.query(`{ conversations(first: 5, filter: { createdAfter: "${last}" }) { totalCount nodes { id } } }`);
      expect(after.body.errors).toBeUndefined();
      expect(after.body.data).toEqual({ conversations: { totalCount: 0, nodes: [] } });
      const everything = await gw.query(`{ conversations(first: 5) { totalCount nodes { id } } }`);
      const before = await gw.query(`{ conversations(first: 5, filter: { createdBefore: "${last}" }) { totalCount nodes { id } } }`);
      expect(before.body.errors).toBeUndefined();
      expect(before.body.data).toEqual(everything.body.data);
    });

    it('refuses a DateTime input that is not RFC 3339 (no zone, an offset no clock has, no seconds), naming the type', async () => {
      for (const text of ['2026-11-17T00:00:00', '2026-01-01T00:00:00+99:00', '2026-01-01T00:00:00+0100', '2026-01-01T00:00Z']) {
        const { status, body } = await gw.query(`{ conversations(filter: { createdAfter: "${text}" }) { nodes { id } } }`);
        expect(status).toBe(400);
        expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(body.errors?.[0]?.message).toContain('DateTime must be an RFC 3339 date-time with a zone');
      }
    });
  });

  describe('durations', () => {
    interface DurationNode {
      nativeId: string;
      channel?: string;
      provider: string;
      status: string;
      endReason: string | null;
      durationSeconds: number | null;
      talkSeconds: number | null;
      ringSeconds: number | null;
    }
    const DURATIONS = `query($id: ID!) { conversation(id: $id) { nativeId provider status endReason durationSeconds talkSeconds ringSeconds } }`;

    it('gives the documents\' samples their talk and ring time', async () => {
      const trata = await gw.query<{ conversation: DurationNode }>(DURATIONS, {
        id: toGlobalId({ provider: 'TRATA', type: 'Conversation', nativeId: 'con.1733513018.hRq7WmZa' }),
      });
      expect(trata.body.data!.conversation).toEqual({
        nativeId: 'con.1733513018.hRq7WmZa',
        provider: 'TRATA',
        status: 'ENDED',
        endReason: null,
        // 05:06:20.733912 .. 05:08:41.585099, to the microsecond
        durationSeconds: 140.851187,
        talkSeconds: 140.851187,
        ringSeconds: null,
      });
      // The Oration response sample: every time is 2023-11-07T05:31:56Z.
      const oration = await gw.query<{ conversation: DurationNode }>(DURATIONS, {
        id: toGlobalId({ provider: 'ORATION', type: 'Conversation', nativeId: '3c90c3cc-0d44-4b50-8888-8dd25736052a' }),
      });
      expect(oration.body.errors).toBeUndefined();
      expect(oration.body.data!.conversation).toEqual({
        nativeId: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
        provider: 'ORATION',
        status: 'QUEUED',
        endReason: 'CUSTOMER_DID_NOT_ANSWER',
        durationSeconds: 0,
        talkSeconds: 0,
        ringSeconds: 0,
      });
    });

    it('splits Oration calls into ringing and talk, and VoiceOS reports talk only', async () => {
      const oration = await allConversations<DurationNode>('nativeId provider channel status endReason durationSeconds talkSeconds ringSeconds', {
        providers: ['ORATION'],
        statuses: ['ENDED'],
      });
      const answered = oration.filter((node) => node.endReason !== 'CUSTOMER_DID_NOT_ANSWER');
      const unanswered = oration.filter((node) => node.endReason === 'CUSTOMER_DID_NOT_ANSWER');
      expect(answered.length).toBeGreaterThan(10);
      expect(unanswered.length).toBeGreaterThan(3);
      for (const node of answered) {
        // The simulated customer leaves when the call ends: ring + talk is the whole call.
        expect(node.ringSeconds! + node.talkSeconds!, node.nativeId).toBeCloseTo(node.durationSeconds!, 6);
        if (node.channel === 'PHONE_OUTBOUND') expect(node.ringSeconds!, node.nativeId).toBeGreaterThan(0);
        else expect(node.ringSeconds!, node.nativeId).toBeGreaterThanOrEqual(0);
      }
      for (const node of unanswered) {
        expect({ talk: node.talkSeconds, ring: node.ringSeconds }, node.nativeId).toEqual({ talk: 0, ring: node.durationSeconds });
      }

      const voiceos = await allConversations<DurationNode>('nativeId provider status endReason durationSeconds talkSeconds ringSeconds', {
        providers: ['VOICEOS'],
        statuses: ['ENDED'],
      });
      expect(voiceos.length).toBeGreaterThan(10);
      for (const node of voiceos) {
        expect({ talk: node.talkSeconds, ring: node.ringSeconds }, node.nativeId).toEqual({ talk: node.durationSeconds, ring: null });
      }
    });
  });

  describe('dynamic variables and the batch item', () => {
    it('shows exactly the variables given, and links a created conversation to its batch item', async () => {
      const { body: agents } = await gw.query<{ agents: { nodes: { id: string }[] } }>(`{ agents(first: 1, providers: [ORATION]) { nodes { id } } }`);
      const agentId = agents.data!.agents.nodes[0]!.id;
      const variables = { customerName: 'Ada', plan: 'gold', renewalDays: 14, vip: true };
      const { body } = await gw.query<{
        createConversations: {
          id: string;
          items: { nodes: { index: number; conversation: { id: string; dynamicVariables: unknown; batchItem: { index: number; state: string; batch: { id: string } } | null } | null }[] };
        };
      }>(
        `mutation($input: CreateConversationsInput!) { createConversations(input: $input) {
            id items { nodes { index conversation { id dynamicVariables batchItem { index state batch { id } } } } } } }`,
        {
          input: {
            waitSeconds: 30,
            conversations: [
              { agentId, channel: 'PHONE_OUTBOUND', toNumber: '+14155550101', dynamicVariables: variables },
              { agentId, channel: 'CHAT', dynamicVariables: { customerName: 'Grace' } },
            ],
          },
        },
      );
      expect(body.errors).toBeUndefined();
      const batch = body.data!.createConversations;
      const [first, second] = batch.items.nodes;
      expect(first!.conversation!.dynamicVariables).toEqual(variables);
      expect(first!.conversation!.batchItem).toEqual({ index: 0, state: 'ENDED', batch: { id: batch.id } });
      expect(second!.conversation!.dynamicVariables).toEqual({ customerName: 'Grace' });
      expect(second!.conversation!.batchItem).toEqual({ index: 1, state: 'ENDED', batch: { id: batch.id } });

      // Read again on its own (not through the batch): the same, from the provider's answer.
      const { body: again } = await gw.query<{ conversation: { dynamicVariables: unknown; batchItem: { index: number } | null } }>(
        `query($id: ID!) { conversation(id: $id) { dynamicVariables batchItem { index } } }`,
        { id: first!.conversation!.id },
      );
      expect(again.data!.conversation).toEqual({ dynamicVariables: variables, batchItem: { index: 0 } });
    });

    it('has no batch item for conversations the gateway did not create', async () => {
      // Everything created before the demo anchor was seeded, not created through createConversations.
      const { body } = await gw.query<{ conversations: { nodes: { batchItem: unknown }[] } }>(
        `{ conversations(first: 60, filter: { createdBefore: "2026-11-20T12:00:00Z" }) { nodes { batchItem { index } } } }`,
      );
      expect(body.errors).toBeUndefined();
      expect(body.data!.conversations.nodes).toEqual(Array.from({ length: 60 }, () => ({ batchItem: null })));
    });
  });
});
