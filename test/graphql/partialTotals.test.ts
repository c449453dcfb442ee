import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

interface Totals {
  conversations: { totalCount: number | null };
  agents: { totalCount: number | null };
  prospects: { totalCount: number | null };
}

/** Each list's total, over every provider, or over the providers given. */
const totals = (providers: string) => /* GraphQL */ `
  {
    conversations(first: 1${providers && `, filter: { providers: ${providers} }`}) { totalCount }
    agents(first: 1${providers && `, providers: ${providers}`}) { totalCount }
    prospects(first: 1${providers && `, providers: ${providers}`}) { totalCount }
  }
`;

describe('totalCount while one provider is down', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterEach(() => {
    gw.demo.simulators.trata?.server.clearFaults();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('counts what the providers that answered hold, on every list alike, beside an error naming the one that did not', async () => {
    const { body: healthy } = await gw.query<Totals>(totals('[ORATION, VOICEOS]'));
    expect(healthy.errors).toBeUndefined();
    const { body: everything } = await gw.query<Totals>(totals(''));
    // Trata holds some of each list, so a total without it is a different number.
    expect(everything.data!.conversations.totalCount).toBeGreaterThan(healthy.data!.conversations.totalCount!);
    expect(everything.data!.agents.totalCount).toBeGreaterThan(healthy.data!.agents.totalCount!);
    expect(everything.data!.prospects.totalCount).toBeGreaterThan(healthy.data!.prospects.totalCount!);

    gw.demo.simulators.trata!.server.setFault('*', { kind: 'status', status: 503 });
    const { body } = await gw.query<Totals>(totals(''));
    expect(body.data).toEqual(healthy.data);
    const errors = body.errors?.map((error) => ({ path: error.path, code: error.extensions?.code, provider: error.extensions?.provider }));
    // The lists resolve in parallel, so their errors come in any order.
    errors?.sort((a, b) => String(a.path).localeCompare(String(b.path)));
    expect(errors).toEqual([
      { path: ['agents'], code: 'PROVIDER_UNAVAILABLE', provider: 'TRATA' },
      { path: ['conversations'], code: 'PROVIDER_UNAVAILABLE', provider: 'TRATA' },
      { path: ['prospects'], code: 'PROVIDER_UNAVAILABLE', provider: 'TRATA' },
    ]);
  });
});
