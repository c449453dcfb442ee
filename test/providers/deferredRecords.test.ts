import { describe, expect, it } from 'vitest';
import type { Conversation, Provider } from '../../src/domain/types.ts';
import type { ProviderConnector } from '../../src/providers/connector.ts';
import { ProviderBadResponseError } from '../../src/providers/errors.ts';
import { deferRecords } from '../../src/providers/kit/deferredRecords.ts';
import { mapTrataConversation, trataConversationPosition } from '../../src/providers/trata/map.ts';
import { trataConversationSchema } from '../../src/providers/trata/wire.ts';
import { listConversations } from '../../src/read/listConversations.ts';
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

/** A reader whose every list call answers all these records deferred, counting how many it mapped. */
function deferredReader(provider: Provider, raw: readonly object[], mapped: { count: number }): ProviderConnector {
  const page = () =>
    deferRecords(raw, {
      provider,
      endpoint: 'conversations.list',
      listPath: 'data',
      schema: trataConversationSchema,
      map: (wire) => {
        mapped.count++;
        return { ...mapTrataConversation(wire), provider };
      },
      position: (record) => ({ ...trataConversationPosition(record)!, provider }),
      positionSchema: trataConversationSchema.pick({ id: true, createdAt: true }),
    });
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
    workspace: { id: 'w', name: 'w', connectors: new Map(connectors.map((c) => [c.provider, c])) },
    first,
    after: null,
    filter: {},
    withTotal: true,
    onProviderError: (error) => errors.push(error),
  });
  return { connection, errors };
}

describe('a conversation list validates and maps only the records it returns', () => {
  it('maps the page it answers, not the three providers\' worth it fetched', async () => {
    const mapped = { count: 0 };
    const raw = records(20);
    const { connection, errors } = await list(
      (['ORATION', 'TRATA', 'VOICEOS'] as const).map((provider) => deferredReader(provider, raw, mapped)),
      10,
    );
    expect(errors).toEqual([]);
    expect(connection.edges).toHaveLength(10);
    // 60 fetched (20 per provider), 10 returned: 10 validated and mapped.
    expect(mapped.count).toBe(10);
    const expected = mapTrataConversation(trataConversationSchema.parse(raw[0]));
    const node = connection.edges[0]!.node;
    expect({ ...node, provider: 'TRATA' }).toEqual(expected);
    // What the resolvers get is the plain mapped object.
    expect(Object.getPrototypeOf(node)).toBe(Object.prototype);
  });

  it('reports a returned record that breaks the contract, naming the field, and lets the next fetched one take its place', async () => {
    const mapped = { count: 0 };
    const raw = records(10, [1, 8]);
    const { connection, errors } = await list([deferredReader('TRATA', raw, mapped), deferredReader('VOICEOS', records(10), mapped)], 4);
    // Newest first, TRATA before VOICEOS at one instant: TRATA's record 1 is left out, the next in the order follows.
    expect(connection.edges.map((e) => `${e.node.provider} ${e.node.nativeId}`)).toEqual([
      'TRATA con.1800000000.rec0',
      'VOICEOS con.1800000000.rec0',
      'VOICEOS con.1799999999.rec1',
      'TRATA con.1799999998.rec2',
    ]);
    expect(connection.pageInfo.hasNextPage).toBe(true);
    expect(connection.totalCount).toBe(20);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ProviderBadResponseError);
    expect(errors[0]).toMatchObject({ provider: 'TRATA', code: 'PROVIDER_BAD_RESPONSE', issues: ['data.1.status'] });
    // Record 8 breaks the contract too and was fetched, but this page does not return it: not reported, not mapped.
    expect(mapped.count).toBe(4);
  });

  it('answers a deferred record like the mapped one it stands for, to spreads and key walks too', () => {
    const [raw] = records(1);
    const [deferred] = deferRecords([raw], {
      provider: 'TRATA',
      endpoint: 'conversations.list',
      listPath: 'data',
      schema: trataConversationSchema,
      map: mapTrataConversation,
      position: trataConversationPosition,
      positionSchema: trataConversationSchema.pick({ id: true, createdAt: true }),
    });
    const plain: Conversation = mapTrataConversation(trataConversationSchema.parse(raw));
    expect(Object.keys(deferred!)).toEqual(Object.keys(plain));
    expect({ ...deferred! }).toEqual(plain);
    expect('transcript' in deferred!).toBe(true);
    expect((deferred as unknown as { then?: unknown }).then).toBe(undefined);
  });
});
