import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

/**
 * A conversation page loads the agents and prospects its fields will read before they run
 * (src/resolvers/referencePreload.ts): the same upstream requests as loading them field by field,
 * only those the query selects as it runs (fragments, aliases, @skip/@include), and the same
 * answer and the same errors.
 */

const NODE_FIELDS = 'id provider status agent { id name } prospect { id name }';

interface Node {
  id: string;
  provider: string;
  agent?: { id: string; name: string | null } | null;
  prospect?: { id: string; name: string | null } | null;
}

describe('conversation pages preload the references they select', () => {
  let gw: TestGateway;
  const sims = () => {
    const { oration, trata, voiceos } = gw.demo.simulators;
    if (!oration || !trata || !voiceos) throw new Error('demo simulators missing');
    return { oration, trata, voiceos };
  };
  const upstreamTotal = () => Object.values(sims()).reduce((total, sim) => total + sim.server.stats().total, 0);
  const referenceRequests = () => {
    const { oration, trata, voiceos } = sims();
    return {
      orationAgents: oration.server.count('GET /api/v2/agents'),
      trataAgents: trata.server.count('GET /v1/agents'),
      trataProspects: trata.server.count('GET /v1/prospects'),
      voiceosAgents: voiceos.server.count('GET /v1/agents') + voiceos.server.count('GET /v1/agents/:id'),
    };
  };

  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(() => {
    for (const sim of Object.values(sims())) {
      sim.server.resetStats();
      sim.server.clearFaults();
    }
  });

  it('asks for no agent or prospect when the page selects neither', async () => {
    const { body } = await gw.query<{ conversations: { edges: { node: Node }[] } }>(
      '{ conversations(first: 50) { edges { node { id provider status } } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.conversations.edges).toHaveLength(50);
    expect(referenceRequests()).toEqual({ orationAgents: 0, trataAgents: 0, trataProspects: 0, voiceosAgents: 0 });
    expect(upstreamTotal()).toBe(3);
  });

  it('counts @skip and @include as the fields run', async () => {
    const query = `query Page($skipAgent: Boolean!, $withProspect: Boolean!) {
      conversations(first: 50) { edges { node { id agent @skip(if: $skipAgent) { name } prospect @include(if: $withProspect) { name } } } }
    }`;
    const skipped = await gw.query(query, { skipAgent: true, withProspect: false });
    expect(skipped.body.errors).toBeUndefined();
    expect(referenceRequests()).toEqual({ orationAgents: 0, trataAgents: 0, trataProspects: 0, voiceosAgents: 0 });
    expect(upstreamTotal()).toBe(3);

    for (const sim of Object.values(sims())) sim.server.resetStats();
    const onlyProspects = await gw.query(query, { skipAgent: true, withProspect: true });
    expect(onlyProspects.body.errors).toBeUndefined();
    expect(referenceRequests()).toEqual({ orationAgents: 0, trataAgents: 0, trataProspects: 1, voiceosAgents: 0 });
    expect(upstreamTotal()).toBe(4);
  });

  it('gives the same answer and requests through edges, nodes, fragments and aliases', async () => {
    const plain = await gw.query<{ conversations: { edges: { node: Node }[] } }>(`{ conversations(first: 50) { edges { node { ${NODE_FIELDS} } } } }`);
    expect(plain.body.errors).toBeUndefined();
    const plainRequests = referenceRequests();
    expect(upstreamTotal()).toBe(7);

    for (const sim of Object.values(sims())) sim.server.resetStats();
    const viaFragments = await gw.query<{ page: { list: (Node & { who?: Node['agent'] })[] } }>(`
      fragment Refs on Conversation { who: agent { id name } ...ProspectOnly }
      fragment ProspectOnly on Conversation { prospect { id name } }
      { page: conversations(first: 50) { list: nodes { ... on Node { id } provider status ... on Conversation { ...Refs } } } }`);
    expect(viaFragments.body.errors).toBeUndefined();
    expect(referenceRequests()).toEqual(plainRequests);
    expect(upstreamTotal()).toBe(7);
    expect(viaFragments.body.data!.page.list.map(({ who, ...rest }) => ({ ...rest, agent: who }))).toEqual(
      plain.body.data!.conversations.edges.map((edge) => edge.node),
    );
  });

  it('answers a page whose provider broke a status: that field errs on each of its conversations, the rest of the page and its references stay', async () => {
    // Until status was nullable, a Trata status that is not a string nulled the whole page
    // (`data: null`) for every provider's conversations.
    sims().trata.server.setFault('GET /v1/conversations', { kind: 'drift', field: 'status', to: { value: 42 } });
    const { body } = await gw.query<{ conversations: { nodes: (Node & { status: string | null })[] } }>(
      `{ conversations(first: 50) { nodes { id provider status agent { name } prospect { name } } } }`,
    );
    const nodes = body.data!.conversations.nodes;
    expect(nodes).toHaveLength(50);
    const trataAt = nodes.flatMap((node, index) => (node.provider === 'TRATA' ? [index] : []));
    expect(trataAt.length).toBeGreaterThan(0);
    expect(body.errors?.map((error) => [error.extensions?.['code'], error.extensions?.['provider'], error.path])).toEqual(
      trataAt.map((index) => ['PROVIDER_BAD_RESPONSE', 'TRATA', ['conversations', 'nodes', index, 'status']]),
    );
    expect(trataAt.map((index) => nodes[index]!.status)).toEqual(trataAt.map(() => null));
    expect(nodes.filter((node) => node.provider !== 'TRATA' && node.status === null)).toEqual([]);
    // The page's references load as for an unbroken page: once per provider and kind.
    expect(trataAt.every((index) => nodes[index]!.prospect !== null)).toBe(true);
    const { trata } = sims();
    expect(trata.server.count('GET /v1/agents')).toBe(1);
    expect(trata.server.count('GET /v1/prospects')).toBe(1);
  });

  it('fails only the references of a provider whose batch request failed, on those fields', async () => {
    sims().trata.server.setFault('GET /v1/prospects', { kind: 'status', status: 503 });
    const { body } = await gw.query<{ conversations: { edges: { node: Node }[] } }>(`{ conversations(first: 50) { edges { node { ${NODE_FIELDS} } } } }`);
    const nodes = body.data!.conversations.edges.map((edge) => edge.node);
    const withProspect = nodes.flatMap((node, index) => (node.provider === 'TRATA' ? [index] : []));
    expect(withProspect.length).toBeGreaterThan(0);
    // Every Trata conversation names a prospect in the demo data: each prospect field failed, nothing else.
    const errors = body.errors ?? [];
    expect(errors.map((error) => error.path)).toEqual(withProspect.map((index) => ['conversations', 'edges', index, 'node', 'prospect']));
    expect(new Set(errors.map((error) => error.extensions?.['code']))).toEqual(new Set(['PROVIDER_UNAVAILABLE']));
    expect(new Set(errors.map((error) => error.extensions?.['provider']))).toEqual(new Set(['TRATA']));
    for (const index of withProspect) expect(nodes[index]!.prospect).toBeNull();
    expect(nodes.filter((node) => node.agent).length).toBeGreaterThan(0);
  });
});
