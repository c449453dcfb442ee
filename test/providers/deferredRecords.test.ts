import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Conversation, Provider } from '../../src/domain/types.ts';
import type { ProviderConnector } from '../../src/providers/connector.ts';
import { ProviderBadResponseError } from '../../src/providers/errors.ts';
import { deferRecords } from '../../src/providers/kit/deferredRecords.ts';
import { ID_POSITION, recordFields, type FieldTable, type RecordFields } from '../../src/providers/kit/recordFields.ts';
import { mapOrationConversation, ORATION_CONVERSATION_POSITION, orationConversationFields } from '../../src/providers/oration/map.ts';
import { orationConversationSchema } from '../../src/providers/oration/wire.ts';
import { mapTrataConversation, TRATA_CONVERSATION_POSITION, trataConversationFields } from '../../src/providers/trata/map.ts';
import { trataConversationSchema, type TrataConversation } from '../../src/providers/trata/wire.ts';
import { listConversations } from '../../src/read/listConversations.ts';
import { mapAgent, voiceOsAgentFields, voiceOsConversationFields } from '../../src/providers/voiceos/map.ts';
import { voiceOsAgentSchema } from '../../src/providers/voiceos/wire.ts';
import { documentedConversationRecord } from '../../src/simulators/trata/samples.ts';

/** Trata's documented record, `count` times, newest first, one second apart; `broken` indexes get a numeric `status`. */
function records(count: number, broken: readonly number[] = []) {
  return Array.from({ length: count }, (_, i) => ({
    ...documentedConversationRecord(),
    id: `con.${1_800_000_000 - i}.rec${i}`,
    createdAt: `2026-11-20T10:00:${String(59 - i).padStart(2, '0')}.123456`,
    ...(broken.includes(i) && { status: 42 }),
  }));
}

/** Trata's conversation fields, counting how many times each domain field is mapped. */
function countingFields(mapped: Map<string, number>): RecordFields<TrataConversation, Conversation> {
  const table = Object.fromEntries(
    Object.entries(trataConversationFields.table).map(([key, mapping]) => [
      key,
      {
        reads: mapping.reads,
        map: (wire: TrataConversation) => {
          mapped.set(key, (mapped.get(key) ?? 0) + 1);
          return mapping.map(wire);
        },
      },
    ]),
  ) as unknown as FieldTable<TrataConversation, Conversation>;
  return recordFields(trataConversationSchema, table);
}

/** A reader whose every list call answers all these records deferred, as `provider`'s. */
function deferredReader(provider: Provider, raw: readonly object[], fields: RecordFields<TrataConversation, Conversation>): ProviderConnector {
  const page = () => deferRecords(raw, { provider, endpoint: 'conversations.list', listPath: 'data', fields, position: TRATA_CONVERSATION_POSITION });
  const unused = () => Promise.reject(new Error('not used by this test'));
  return {
    provider,
    // Every record, whatever the limit: fetched is not returned.
    listConversations: async () => ({ items: page(), totalCount: raw.length, hasMore: false }),
    getConversations: unused,
    listAgents: unused,
    getAgents: unused,
  };
}

async function list(connectors: ProviderConnector[], first: number) {
  const errors: unknown[] = [];
  const connection = await listConversations({
    workspace: { id: 'w', name: 'w', connectors: new Map(connectors.map((c) => [c.provider, c])), observedBy: () => { throw new Error('not observed here'); } },
    first,
    after: null,
    filter: {},
    withTotal: true,
    onProviderError: (error) => errors.push(error),
  });
  return { connection, errors };
}

function thrownBy(read: () => unknown): unknown {
  try {
    read();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('a conversation list validates and maps only the fields it reads of the records it returns', () => {
  it('maps nothing past the position while listing, then each field read, once', async () => {
    const mapped = new Map<string, number>();
    const fields = countingFields(mapped);
    const raw = records(20);
    const { connection, errors } = await list(
      (['ORATION', 'TRATA', 'VOICEOS'] as const).map((provider) => deferredReader(provider, raw, fields)),
      10,
    );
    expect(errors).toEqual([]);
    expect(connection.edges).toHaveLength(10);
    // 60 fetched (20 per provider), 10 returned, ordered and given cursors by their position alone.
    expect(mapped.size).toBe(0);
    for (const { node } of connection.edges) void node.status.value;
    const first = connection.edges[0]!.node;
    void first.transcript;
    void first.transcript;
    void first.status;
    expect(Object.fromEntries(mapped)).toEqual({ status: 10, transcript: 1 });
    expect(first.transcript).toEqual(mapTrataConversation(trataConversationSchema.parse(raw[0])).transcript);
  });

  it('answers a field whose wire fields break the contract with a typed error naming them; the record\'s other fields read', async () => {
    const mapped = new Map<string, number>();
    const fields = countingFields(mapped);
    const raw = records(10, [1, 8]);
    const { connection, errors } = await list([deferredReader('TRATA', raw, fields)], 4);
    // The broken record keeps its place: ordering reads the position, which is intact.
    expect(errors).toEqual([]);
    expect(connection.edges.map((e) => e.node.nativeId)).toEqual(['con.1800000000.rec0', 'con.1799999999.rec1', 'con.1799999998.rec2', 'con.1799999997.rec3']);
    const broken = connection.edges[1]!.node;
    const error = thrownBy(() => broken.status);
    expect(error).toBeInstanceOf(ProviderBadResponseError);
    expect(error).toMatchObject({ provider: 'TRATA', code: 'PROVIDER_BAD_RESPONSE', issues: ['data.1.status'] });
    // Read again: the same error, not a second validation.
    expect(thrownBy(() => broken.status)).toBe(error);
    const intact = mapTrataConversation(trataConversationSchema.parse(raw[0]));
    expect(broken.transcript).toEqual(intact.transcript);
    expect(broken.agentRef).toEqual(intact.agentRef);
    // Record 8 breaks the contract too and was fetched, but this page does not return it: never read.
    expect(Object.fromEntries(mapped)).toEqual({ transcript: 1, agentRef: 1 });
  });

  it('refuses a page whose record has no readable position, naming the field', () => {
    const raw = records(3);
    const error = thrownBy(() =>
      deferRecords([raw[0], { ...raw[1], createdAt: 'yesterday' }, { ...raw[2], id: '' }], {
        provider: 'TRATA',
        endpoint: 'conversations.list',
        listPath: 'data',
        fields: trataConversationFields,
        position: TRATA_CONVERSATION_POSITION,
      }),
    );
    expect(error).toBeInstanceOf(ProviderBadResponseError);
    expect((error as ProviderBadResponseError).issues).toEqual(['data.1.createdAt', 'data.2.id']);
  });

  it('answers a deferred record like the mapped one it stands for, to spreads and key walks too', () => {
    const [raw] = records(1);
    const [deferred] = deferRecords([raw], {
      provider: 'TRATA',
      endpoint: 'conversations.list',
      listPath: 'data',
      fields: trataConversationFields,
      position: TRATA_CONVERSATION_POSITION,
    });
    const plain: Conversation = mapTrataConversation(trataConversationSchema.parse(raw));
    expect(Object.keys(deferred!)).toEqual(Object.keys(plain));
    expect({ ...deferred! }).toEqual(plain);
    expect(JSON.parse(JSON.stringify(deferred))).toEqual(JSON.parse(JSON.stringify(plain)));
    expect('transcript' in deferred!).toBe(true);
    expect('then' in deferred!).toBe(false);
    expect((deferred as unknown as { then?: unknown }).then).toBe(undefined);
  });
});

describe('a batch get of agents validates and maps only the fields read', () => {
  const agent = (id: string, overrides: object = {}) => ({
    id,
    name: `Agent ${id}`,
    created_at: '2026-11-20T10:00:00Z',
    prompt: 'Be brief.',
    llm: { provider: 'openai', model: 'gpt-4o', temperature: 0.2 },
    voice: { provider: 'cartesia', voice_id: 'v-1' },
    hooks: [{ type: 'webhook', events: ['call.ended'] }],
    ...overrides,
  });

  it('reads names of agents whose configuration breaks the contract, and errors on the broken field alone', () => {
    const raw = [agent('a-1'), agent('a-2', { llm: { temperature: 'warm' } })];
    const agents = deferRecords(raw, { provider: 'VOICEOS', endpoint: 'agents.list', listPath: 'agents', fields: voiceOsAgentFields, position: ID_POSITION });
    expect(agents.map((a) => [a.nativeId, a.name])).toEqual([
      ['a-1', 'Agent a-1'],
      ['a-2', 'Agent a-2'],
    ]);
    const error = thrownBy(() => agents[1]!.llm);
    expect(error).toBeInstanceOf(ProviderBadResponseError);
    expect(error).toMatchObject({ provider: 'VOICEOS', endpoint: 'agents.list', issues: ['agents.1.llm.temperature'] });
    expect(agents[1]!.voice).toEqual(mapAgent(voiceOsAgentSchema.parse(raw[0])).voice);
    // A record that keeps the contract reads exactly as the eager mapping.
    expect({ ...agents[0]! }).toEqual(mapAgent(voiceOsAgentSchema.parse(raw[0])));
  });

  it('refuses a page with an agent that has no id', () => {
    const error = thrownBy(() =>
      deferRecords([agent('a-1'), agent('')], { provider: 'VOICEOS', endpoint: 'agents.list', listPath: 'agents', fields: voiceOsAgentFields, position: ID_POSITION }),
    );
    expect(error).toBeInstanceOf(ProviderBadResponseError);
    expect((error as ProviderBadResponseError).issues).toEqual(['agents.1.id']);
  });
});

describe('fields that share one reading of their wire fields', () => {
  const VARIABLES = '{"customerName":"Alice Smith","switchboardRequestId":"r-1"}';
  const TIMES = {
    callStartTime: '2026-11-01T10:00:05Z',
    userJoinTime: '2026-11-01T10:00:12.250Z',
    userLeaveTime: '2026-11-01T10:02:30Z',
    callEndTime: '2026-11-01T10:02:35.500Z',
  };
  const oration = (id: string, overrides: object = {}) => ({
    id,
    createdAt: '2026-11-01T10:00:00Z',
    conversationStatus: 'ended',
    dynamicVariables: VARIABLES,
    ...TIMES,
    ...overrides,
  });
  const deferOration = (raw: readonly object[]) =>
    deferRecords(raw, { provider: 'ORATION', endpoint: 'conversations.list', listPath: 'results', fields: orationConversationFields, position: ORATION_CONVERSATION_POSITION });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('decodes Oration\'s dynamicVariables once per record for dynamicVariables and gatewayRequestId, eager or deferred', () => {
    const wire = orationConversationSchema.parse(oration('c-1'));
    const [deferred] = deferOration([oration('c-1')]);
    const parse = vi.spyOn(JSON, 'parse');
    const eager = mapOrationConversation(wire);
    expect({ variables: eager.dynamicVariables, tag: eager.gatewayRequestId }).toEqual({ variables: { customerName: 'Alice Smith' }, tag: 'r-1' });
    expect(parse.mock.calls.filter(([text]) => text === VARIABLES)).toHaveLength(1);
    parse.mockClear();
    expect({ variables: deferred!.dynamicVariables, tag: deferred!.gatewayRequestId }).toEqual({ variables: { customerName: 'Alice Smith' }, tag: 'r-1' });
    expect(parse.mock.calls.filter(([text]) => text === VARIABLES)).toHaveLength(1);
  });

  it('takes Oration\'s talkSeconds and ringSeconds from one reading of its four call times', () => {
    const table = orationConversationFields.table;
    expect(table.talkSeconds.reads).toEqual(['callStartTime', 'callEndTime', 'userJoinTime', 'userLeaveTime']);
    expect(table.talkSeconds.shared?.reading).toBeDefined();
    expect(table.ringSeconds.shared?.reading).toBe(table.talkSeconds.shared?.reading);
    const [deferred] = deferOration([oration('c-1')]);
    expect({ talk: deferred!.talkSeconds, ring: deferred!.ringSeconds }).toEqual({ talk: 137.75, ring: 7.25 });
  });

  it('takes Trata\'s and VoiceOS\'s duration and talk time from one reading of the call\'s start and end', () => {
    for (const { table } of [trataConversationFields, voiceOsConversationFields]) {
      expect(table.durationSeconds.reads).toEqual(table.talkSeconds.reads);
      expect(table.durationSeconds.shared?.reading).toBeDefined();
      expect(table.talkSeconds.shared?.reading).toBe(table.durationSeconds.shared?.reading);
    }
  });

  it('errors on every field that derives from a broken wire field, and on no other', () => {
    const raw = [oration('c-1'), oration('c-2', { dynamicVariables: 42, userJoinTime: 7 })];
    const [intact, broken] = deferOration(raw);
    for (const key of ['dynamicVariables', 'gatewayRequestId'] as const) {
      const error = thrownBy(() => broken![key]);
      expect(error).toBeInstanceOf(ProviderBadResponseError);
      expect(error).toMatchObject({ provider: 'ORATION', code: 'PROVIDER_BAD_RESPONSE', issues: ['results.1.dynamicVariables'] });
    }
    for (const key of ['talkSeconds', 'ringSeconds'] as const) {
      expect(thrownBy(() => broken![key])).toMatchObject({ code: 'PROVIDER_BAD_RESPONSE', issues: ['results.1.userJoinTime'] });
    }
    // The fields that do not read them still answer, on the broken record and beside it.
    expect([broken!.status.value, broken!.durationSeconds, broken!.startedAt]).toEqual(['ENDED', 150.5, new Date(TIMES.callStartTime)]);
    expect({ ...intact! }).toEqual(mapOrationConversation(orationConversationSchema.parse(raw[0])));
  });
});
