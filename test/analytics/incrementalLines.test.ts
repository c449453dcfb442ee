import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WATERMARK_HEADER } from '../../src/analytics/exports/exportRoute.ts';
import { startLiveGateway, type LiveGateway } from '../sync/liveGateway.ts';
import { providerConversations } from './biFixtures.ts';
import { parseCsv } from './csvParser.ts';

/** A client's copy of the cost lines: conversation id → its lines as `line:kind:amount`. */
type Mirror = Map<string, string[]>;

const linesOf = (rows: Record<string, string | undefined>[]): Mirror => {
  const mirror: Mirror = new Map();
  for (const row of rows) {
    const id = row.conversation_id ?? '';
    mirror.set(id, [...(mirror.get(id) ?? []), `${row.line}:${row.kind}:${row.amount}`]);
  }
  return mirror;
};

describe('incremental pulls of cost lines, as docs/bi.md says', () => {
  let gateway: LiveGateway;
  const get = async (path: string) => {
    const response = await fetch(`${gateway.origin}${path}`, { headers: { authorization: 'Bearer demo-key' } });
    return { watermark: response.headers.get(WATERMARK_HEADER) ?? '', rows: parseCsv(await response.text()).rows };
  };

  beforeAll(async () => {
    gateway = await startLiveGateway();
    await gateway.runtime.live.sync.syncOnce();
  });
  afterAll(async () => {
    await gateway.close();
  });

  /**
   * The documented steps: lines first (watermark W2), then conversations with the same
   * `updatedSince`; replace the lines of every conversation in the lines pull; drop those of every
   * conversation at or below W2 that the lines pull has no row for. `naive` only does the first part.
   */
  const pull = async (since: string | null, mirror: Mirror, naive: Mirror): Promise<string> => {
    const query = since === null ? '' : `?updatedSince=${since}`;
    const lines = await get(`/exports/cost-lines.csv${query}`);
    const conversations = await get(`/exports/conversations.csv${query}`);
    const pulled = linesOf(lines.rows);
    for (const [id, each] of pulled) {
      mirror.set(id, each);
      naive.set(id, each);
    }
    for (const row of conversations.rows) {
      const id = row.conversation_id ?? '';
      if (BigInt(row.change_seq ?? '') <= BigInt(lines.watermark) && !pulled.has(id)) mirror.delete(id);
    }
    return lines.watermark;
  };

  it('keeps a copy equal to a full pull when one conversation\'s lines change and another\'s are all removed', async () => {
    const mirror: Mirror = new Map();
    const naive: Mirror = new Map();
    const first = await pull(null, mirror, naive);
    expect(mirror.size).toBeGreaterThan(0);

    const voiceos = gateway.runtime.registry.get('demo')?.connectors.get('VOICEOS');
    if (!voiceos) throw new Error('demo has VOICEOS');
    const [trimmed, emptied] = (await providerConversations(voiceos)).filter((each) => (each.cost?.components.length ?? 0) >= 2);
    if (!trimmed?.cost || !emptied?.cost) throw new Error('VoiceOS has two conversations with two cost lines or more');
    expect(
      await gateway.runtime.live.writer.writeConversations('demo', 'VOICEOS', [
        { ...trimmed, cost: { ...trimmed.cost, total: null, components: trimmed.cost.components.slice(0, 1) } },
        { ...emptied, cost: null },
      ]),
    ).toBe(2);

    await pull(first, mirror, naive);
    const truth = linesOf((await get('/exports/cost-lines.csv')).rows);
    expect(mirror).toEqual(truth);

    // What the docs warn about: the removed lines are in no lines pull, so replacing lines by the
    // newest pull's alone keeps them.
    const emptiedId = [...naive.keys()].find((id) => !truth.has(id));
    expect(emptiedId).toBeDefined();
    expect(naive.get(emptiedId ?? '')?.length).toBe(emptied.cost.components.length);
    expect([...naive.keys()].filter((id) => !truth.has(id))).toEqual([emptiedId]);
  });
});
