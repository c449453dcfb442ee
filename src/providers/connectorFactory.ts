import type { Dispatcher } from 'undici';
import type { Provider } from '../domain/types.ts';
import type { WorkspaceConfig } from '../workspaces/workspaceConfig.ts';
import type { ProviderConnector } from './connector.ts';
import { createProviderDispatcher } from './http.ts';
import { createOrationConnector } from './oration/orationConnector.ts';
import { createTrataConnector } from './trata/trataConnector.ts';
import { createVoiceOsConnector } from './voiceos/voiceOsConnector.ts';

/** One keep-alive dispatcher per provider, shared by every workspace's connector for it. */
export type ProviderDispatchers = Record<Provider, Dispatcher>;

export function createProviderDispatchers(): ProviderDispatchers {
  return {
    ORATION: createProviderDispatcher(),
    TRATA: createProviderDispatcher(),
    VOICEOS: createProviderDispatcher(),
  };
}

export async function closeProviderDispatchers(dispatchers: ProviderDispatchers): Promise<void> {
  await Promise.all(Object.values(dispatchers).map((dispatcher) => dispatcher.close()));
}

/** Builds the connectors of one workspace from its provider accounts. */
export function createWorkspaceConnectors(
  providers: WorkspaceConfig['providers'],
  dispatchers: ProviderDispatchers,
  options: { timeoutMs: number },
): Map<Provider, ProviderConnector> {
  const connectors = new Map<Provider, ProviderConnector>();
  const { timeoutMs } = options;
  if (providers.oration) {
    const { baseUrl, apiKey, workspaceId } = providers.oration;
    connectors.set(
      'ORATION',
      createOrationConnector({ baseUrl, credentials: { apiKey, workspaceId }, dispatcher: dispatchers.ORATION, timeoutMs }),
    );
  }
  if (providers.trata) {
    const { baseUrl, token } = providers.trata;
    connectors.set('TRATA', createTrataConnector({ baseUrl, credentials: { token }, dispatcher: dispatchers.TRATA, timeoutMs }));
  }
  if (providers.voiceos) {
    const { baseUrl, token } = providers.voiceos;
    connectors.set(
      'VOICEOS',
      createVoiceOsConnector({ baseUrl, credentials: { token }, dispatcher: dispatchers.VOICEOS, timeoutMs }),
    );
  }
  return connectors;
}
