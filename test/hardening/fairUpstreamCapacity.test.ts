import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../support/testGateway.ts';

/**
 * Issue 7, finding 4: the per-provider upstream queue was shared by every workspace, so one
 * workspace flooding Oration with aliased `conversations` queries got another workspace, on its
 * own Oration account, refused with `PROVIDER_UNAVAILABLE "Too many requests to ORATION are
 * waiting"`. Demo mode has two workspaces on separate simulator accounts: `demo` floods, `acme`
 * reads.
 *
 * Small limits keep it short: 2 requests in flight to Oration, 4 waiting per account. Oration
 * answers after 300 ms, so every call of the flood is queued or refused before the first answer.
 */
const MAX_CONCURRENT = 2;
const MAX_QUEUED = 4;
const FLOOD_ALIASES = 12;
const READS = 3;

/**
 * `conversations` restricted to Oration, with only ids and `first` below Oration's page size of
 * 100, costs exactly one upstream list request (`first: 100` reads a second page to learn whether
 * more follow), so every count below is exact.
 */
const floodQuery = `{ ${Array.from({ length: FLOOD_ALIASES }, (_, i) => `a${i}: conversations(first: 50, filter: { providers: [ORATION] }) { edges { node { id } } }`).join(' ')} }`;
const readQuery = '{ conversations(first: 5, filter: { providers: [ORATION] }) { edges { node { id } } } }';

type Errors = NonNullable<GraphQLResponse['body']['errors']>;
const unavailable = (errors: Errors | undefined): Errors => (errors ?? []).filter((e) => e.extensions?.code === 'PROVIDER_UNAVAILABLE');

describe('fair upstream capacity between two workspaces on separate provider accounts', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      SWITCHBOARD_UPSTREAM_MAX_CONCURRENCY: String(MAX_CONCURRENT),
      SWITCHBOARD_UPSTREAM_MAX_QUEUED: String(MAX_QUEUED),
      SWITCHBOARD_UPSTREAM_RETRIES: '0',
    });
  });
  afterAll(async () => {
    await gw.close();
  });

  it("one workspace's flood is refused beyond its own queue while the other workspace's reads all succeed", async () => {
    const oration = gw.demo.simulators.oration!.server;
    const limiter = gw.transports.ORATION.resilience!.limiter;
    oration.resetStats();
    oration.setLatency({ minMs: 300, maxMs: 300 });
    try {
      const flood = gw.query<Record<string, { edges: unknown[] } | null>>(floodQuery, undefined, 'demo-key');
      // Wait until the flood holds every slot and its queue is full: the moment the shared queue refused everyone.
      while (limiter.queued < MAX_QUEUED) await new Promise((resolve) => setTimeout(resolve, 5));
      const reads = await Promise.all(
        Array.from({ length: READS }, () => gw.query<{ conversations: { edges: unknown[] } }>(readQuery, undefined, 'acme-key')),
      );
      const flooded = await flood;

      // The other account: not one refusal, every read complete.
      expect(reads.flatMap((r) => unavailable(r.body.errors)).map((e) => e.message)).toEqual([]);
      expect(reads.map((r) => r.body.data?.conversations.edges.length)).toEqual(Array.from({ length: READS }, () => 5));

      // The flooding account: what its own slots and queue hold runs, the rest is refused at once.
      const refused = unavailable(flooded.body.errors);
      expect(refused.length).toBe(FLOOD_ALIASES - MAX_CONCURRENT - MAX_QUEUED);
      expect(new Set(refused.map((e) => e.message))).toEqual(new Set(["Too many requests to ORATION on this workspace's account are waiting; try again shortly"]));
      expect(refused.map((e) => e.extensions?.provider)).toEqual(refused.map(() => 'ORATION'));
      // A refused alias is a partial result: its error, and no conversations.
      const pageSizes = Object.values(flooded.body.data ?? {}).map((connection) => connection?.edges.length ?? 0);
      expect(pageSizes.filter((size) => size === 50).length).toBe(MAX_CONCURRENT + MAX_QUEUED);
      expect(pageSizes.filter((size) => size === 0).length).toBe(FLOOD_ALIASES - MAX_CONCURRENT - MAX_QUEUED);

      // Nothing refused was sent: Oration saw the admitted flood calls and the reads, no more.
      expect(oration.count('GET /api/v2/conversations')).toBe(MAX_CONCURRENT + MAX_QUEUED + READS);
      expect(oration.stats().peakInFlight).toBe(MAX_CONCURRENT);
    } finally {
      oration.setLatency({ minMs: 0, maxMs: 0 });
    }
  });

  it('the other workspace reads on without one refusal for as long as the flood goes on', async () => {
    const oration = gw.demo.simulators.oration!.server;
    const limiter = gw.transports.ORATION.resilience!.limiter;
    oration.resetStats();
    oration.setLatency({ minMs: 50, maxMs: 50 });
    const ROUNDS = 6;
    const PARALLEL = 2;
    try {
      let flooding = true;
      const floods: GraphQLResponse<Record<string, { edges: unknown[] } | null>>[] = [];
      const flood = (async () => {
        for (let round = 0; round < ROUNDS; round++) {
          floods.push(...(await Promise.all(Array.from({ length: PARALLEL }, () => gw.query<Record<string, { edges: unknown[] } | null>>(floodQuery, undefined, 'demo-key')))));
        }
        flooding = false;
      })();
      while (limiter.queued < MAX_QUEUED) await new Promise((resolve) => setTimeout(resolve, 5));
      // The other workspace sends one read after another until the flood ends.
      const reads: GraphQLResponse<{ conversations: { edges: unknown[] } }>[] = [];
      while (flooding) reads.push(await gw.query<{ conversations: { edges: unknown[] } }>(readQuery, undefined, 'acme-key'));
      await flood;

      expect(reads.length).toBeGreaterThan(0);
      expect(reads.flatMap((r) => unavailable(r.body.errors)).map((e) => e.message)).toEqual([]);
      expect(reads.every((r) => r.body.data?.conversations.edges.length === 5)).toBe(true);

      // Each round offers 24 calls at once to the flooding account's 2 slots and 4 places in line.
      const pageSizes = floods.flatMap((r) => Object.values(r.body.data ?? {}).map((connection) => connection?.edges.length ?? 0));
      const refused = floods.flatMap((r) => unavailable(r.body.errors));
      const answered = pageSizes.filter((size) => size === 50).length;
      expect(pageSizes.length).toBe(ROUNDS * PARALLEL * FLOOD_ALIASES);
      expect(refused.length + answered).toBe(ROUNDS * PARALLEL * FLOOD_ALIASES);
      expect(refused.length).toBeGreaterThanOrEqual(ROUNDS * (PARALLEL * FLOOD_ALIASES - MAX_CONCURRENT - MAX_QUEUED));
      expect(oration.count('GET /api/v2/conversations')).toBe(answered + reads.length);
    } finally {
      oration.setLatency({ minMs: 0, maxMs: 0 });
    }
  });
});
