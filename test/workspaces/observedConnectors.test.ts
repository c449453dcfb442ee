import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../../src/domain/types.ts';
import { closeProviderTransports, createProviderTransports, type ProviderTransports } from '../../src/providers/connectorFactory.ts';
import type { UpstreamObserver } from '../../src/providers/http.ts';
import { DEMO_ACCOUNTS } from '../../src/simulators/demoAccounts.ts';
import { createOrationSimulator, type OrationSimulator } from '../../src/simulators/oration/orationSimulator.ts';
import { createTrataSimulator, type TrataSimulator } from '../../src/simulators/trata/trataSimulator.ts';
import { createVoiceOsSimulator, type VoiceOsSimulator } from '../../src/simulators/voiceos/voiceOsSimulator.ts';
import { WorkspaceRegistry, type Workspace } from '../../src/workspaces/workspaceRegistry.ts';

/** Counts the upstream requests told to it, per provider and endpoint, with the status each ended on. */
function recordingObserver(): { observer: UpstreamObserver; seen: string[] } {
  const seen: string[] = [];
  return { seen, observer: (start) => (end) => seen.push(`${start.provider} ${start.endpoint} ${end.status}`) };
}

describe("a workspace's connectors, observed per request", () => {
  let oration: OrationSimulator;
  let trata: TrataSimulator;
  let voiceos: VoiceOsSimulator;
  let transports: ProviderTransports;
  let workspace: Workspace;
  const transportsOwn = recordingObserver();

  beforeAll(async () => {
    oration = createOrationSimulator();
    trata = createTrataSimulator();
    voiceos = createVoiceOsSimulator();
    const [orationUrl, trataUrl, voiceosUrl] = await Promise.all([oration.listen(0), trata.listen(0), voiceos.listen(0)]);
    transports = createProviderTransports({ observer: transportsOwn.observer });
    const [orationAccount] = DEMO_ACCOUNTS.oration;
    const [trataAccount] = DEMO_ACCOUNTS.trata;
    const [voiceosAccount] = DEMO_ACCOUNTS.voiceos;
    const registry = new WorkspaceRegistry(
      [
        {
          id: 'demo',
          apiKeys: ['demo-key-0123456789abcdef'],
          providers: {
            oration: { baseUrl: `${orationUrl}/api/v2`, apiKey: orationAccount.apiKey, workspaceId: orationAccount.workspaceId, concurrencyLimit: 20 },
            trata: { baseUrl: trataUrl, token: trataAccount.token },
            voiceos: { baseUrl: voiceosUrl, token: voiceosAccount.token },
          },
        },
      ],
      transports,
      { timeoutMs: 5_000 },
    );
    const found = registry.get('demo');
    if (!found) throw new Error('the demo workspace is missing');
    workspace = found;
  });

  afterAll(async () => {
    await closeProviderTransports(transports);
    await Promise.all([oration.close(), trata.close(), voiceos.close()]);
  });

  const connector = (of: Workspace, provider: Provider) => {
    const found = of.connectors.get(provider);
    if (!found) throw new Error(`no ${provider} connector`);
    return found;
  };

  it("reports each request's upstream calls to that request's observer alone, the workspace's own to the transports'", async () => {
    const first = recordingObserver();
    const second = recordingObserver();
    const firstRequest = workspace.observedBy(first.observer);
    const secondRequest = workspace.observedBy(second.observer);

    await Promise.all([
      connector(firstRequest, 'ORATION').listConversations({ filter: {}, limit: 5 }),
      connector(firstRequest, 'TRATA').listConversations({ filter: {}, limit: 5 }),
      connector(secondRequest, 'VOICEOS').listAgents({ offset: 0, limit: 5 }),
      connector(workspace, 'TRATA').listAgents({ offset: 0, limit: 5 }),
    ]);

    expect(first.seen.sort()).toEqual(['ORATION conversations.list 200', 'TRATA conversations.list 200']);
    expect(second.seen).toEqual(['VOICEOS agents.list 200']);
    expect(transportsOwn.seen).toEqual(['TRATA agents.list 200']);
  });

  it('keeps the account: an observed connector places calls on the same budget', () => {
    const observed = workspace.observedBy(recordingObserver().observer);
    expect(connector(observed, 'ORATION').creator?.budget).toEqual(connector(workspace, 'ORATION').creator?.budget);
    expect(connector(observed, 'ORATION').creator?.budget).toEqual({ key: `ORATION:${DEMO_ACCOUNTS.oration[0].workspaceId}`, limit: 20 });
  });
});
