import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyCreateFailure } from '../../src/fanout/classifyCreateFailure.ts';
import { createProviderDispatcher } from '../../src/providers/http.ts';
import { createOrationConnector } from '../../src/providers/oration/orationConnector.ts';
import { SendWindowMissedError } from '../../src/providers/resilience/sendWindowMissedError.ts';
import { DEMO_ACCOUNTS } from '../../src/simulators/demoAccounts.ts';
import { createOrationSimulator, type OrationSimulator } from '../../src/simulators/oration/orationSimulator.ts';
import { ORATION_DOCUMENTED_IDS } from '../../src/simulators/oration/samples.ts';

const [ACCOUNT] = DEMO_ACCOUNTS.oration;
const CREATE = 'POST /api/v2/conversations';

describe('a create held back past its send window', () => {
  let simulator: OrationSimulator;
  const dispatcher = createProviderDispatcher();
  beforeAll(async () => {
    simulator = createOrationSimulator({ historicConversations: 1 });
    await simulator.listen(0);
  });
  afterAll(async () => {
    await dispatcher.close();
    await simulator.close();
  });

  it('is not sent at all, and the fan-out may queue its items again at once', async () => {
    const connector = createOrationConnector({
      baseUrl: `${simulator.url}/api/v2`,
      credentials: { apiKey: ACCOUNT.apiKey, workspaceId: ACCOUNT.workspaceId },
      transport: { dispatcher, resilience: null },
      timeoutMs: 1_000,
    }).creator;
    if (!connector) throw new Error('the Oration connector has no creator');
    const request = {
      requestId: '00000000-0000-4000-8000-000000000001',
      agentNativeId: ORATION_DOCUMENTED_IDS.exampleAgent,
      channel: 'PHONE_OUTBOUND' as const,
      toNumber: '+14155550100',
      sipTrunkAddress: null,
      dynamicVariables: {},
    };
    const error = await connector.createConversations([request], { notSentAfter: Date.now() - 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SendWindowMissedError);
    expect(simulator.server.count(CREATE)).toBe(0);
    expect(classifyCreateFailure(error, connector)).toEqual({ kind: 'NOT_SENT', reason: (error as Error).message, retryAfterMs: 0 });

    const sent = await connector.createConversations([request], { notSentAfter: Date.now() + 60_000 });
    expect(sent.outcomes.map((outcome) => outcome.ok)).toEqual([true]);
    expect(simulator.server.count(CREATE)).toBe(1);
  });
});
