import type { Dispatcher } from 'undici';
import type { Provider } from '../domain/types.ts';
import type { WorkspaceConfig } from '../workspaces/workspaceConfig.ts';
import type { ProviderConnector } from './connector.ts';
import { createProviderDispatcher } from './http.ts';
import { attachResilience } from './resilience/dispatcherResilience.ts';
import {
  DEFAULT_RESILIENCE_OPTIONS,
  ProviderResilience,
  type ResilienceHooks,
  type ResilienceOptions,
} from './resilience/providerResilience.ts';
import { createOrationConnector } from './oration/orationConnector.ts';
import { createTrataConnector } from './trata/trataConnector.ts';
import { createVoiceOsConnector } from './voiceos/voiceOsConnector.ts';

/**
 * One keep-alive dispatcher per provider, shared by every workspace's connector for it, each
 * carrying the provider's `ProviderResilience` (breaker, concurrency cap, retry policy). The
 * concurrency cap is per provider but shared fairly between the provider accounts of all
 * workspaces: each `UpstreamClient` names its account from its credentials (`upstreamAccountOf`).
 */
export type ProviderDispatchers = Record<Provider, Dispatcher>;

export interface ProviderDispatchersOptions {
  /** Per-field overrides of `DEFAULT_RESILIENCE_OPTIONS`. */
  resilience?: { [K in keyof ResilienceOptions]?: Partial<ResilienceOptions[K]> };
  hooks?: ResilienceHooks;
}

export function createProviderDispatchers(options: ProviderDispatchersOptions = {}): ProviderDispatchers {
  const resilienceOptions: ResilienceOptions = {
    retry: { ...DEFAULT_RESILIENCE_OPTIONS.retry, ...options.resilience?.retry },
    breaker: { ...DEFAULT_RESILIENCE_OPTIONS.breaker, ...options.resilience?.breaker },
    concurrency: { ...DEFAULT_RESILIENCE_OPTIONS.concurrency, ...options.resilience?.concurrency },
  };
  const forProvider = (provider: Provider): Dispatcher => {
    const dispatcher = createProviderDispatcher();
    attachResilience(dispatcher, new ProviderResilience(provider, resilienceOptions, options.hooks));
    return dispatcher;
  };
  return { ORATION: forProvider('ORATION'), TRATA: forProvider('TRATA'), VOICEOS: forProvider('VOICEOS') };
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
