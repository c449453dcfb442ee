import type { Provider } from '../domain/types.ts';
import type { WorkspaceConfig } from '../workspaces/workspaceConfig.ts';
import type { WorkspaceConnector } from './connector.ts';
import { createProviderDispatcher, type UpstreamObserver } from './http.ts';
import type { ProviderTransport } from './kit/createUpstreamClient.ts';
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
 * One transport per provider, shared by every workspace's connector for it: a keep-alive
 * dispatcher and the provider's `ProviderResilience` (breaker, concurrency cap, retry policy). The
 * concurrency cap is per provider but shared fairly between the provider accounts of all
 * workspaces: each `UpstreamClient` names its account from its credentials (`upstreamAccountOf`).
 */
export type ProviderTransports = Record<Provider, ProviderTransport>;

export interface ProviderTransportsOptions {
  /** Per-field overrides of `DEFAULT_RESILIENCE_OPTIONS`. */
  resilience?: { [K in keyof ResilienceOptions]?: Partial<ResilienceOptions[K]> };
  hooks?: ResilienceHooks;
  /** Told of every upstream request (src/observability/upstreamObserver.ts). */
  observer?: UpstreamObserver;
}

export function createProviderTransports(options: ProviderTransportsOptions = {}): ProviderTransports {
  const resilienceOptions: ResilienceOptions = {
    retry: { ...DEFAULT_RESILIENCE_OPTIONS.retry, ...options.resilience?.retry },
    breaker: { ...DEFAULT_RESILIENCE_OPTIONS.breaker, ...options.resilience?.breaker },
    concurrency: { ...DEFAULT_RESILIENCE_OPTIONS.concurrency, ...options.resilience?.concurrency },
  };
  const forProvider = (provider: Provider): ProviderTransport => ({
    dispatcher: createProviderDispatcher(),
    resilience: new ProviderResilience(provider, resilienceOptions, options.hooks),
    observer: options.observer,
  });
  return { ORATION: forProvider('ORATION'), TRATA: forProvider('TRATA'), VOICEOS: forProvider('VOICEOS') };
}

export async function closeProviderTransports(transports: ProviderTransports): Promise<void> {
  await Promise.all(Object.values(transports).map((transport) => transport.dispatcher.close()));
}

/** Builds the connectors of one workspace from its provider accounts: once, with the workspace. */
export function createWorkspaceConnectors(
  providers: WorkspaceConfig['providers'],
  transports: ProviderTransports,
  options: { timeoutMs: number },
): Map<Provider, WorkspaceConnector> {
  const connectors = new Map<Provider, WorkspaceConnector>();
  const { timeoutMs } = options;
  if (providers.oration) {
    const { baseUrl, apiKey, workspaceId, concurrencyLimit } = providers.oration;
    connectors.set(
      'ORATION',
      createOrationConnector({ baseUrl, credentials: { apiKey, workspaceId }, transport: transports.ORATION, timeoutMs, concurrencyLimit }),
    );
  }
  if (providers.trata) {
    const { baseUrl, token } = providers.trata;
    connectors.set('TRATA', createTrataConnector({ baseUrl, credentials: { token }, transport: transports.TRATA, timeoutMs }));
  }
  if (providers.voiceos) {
    const { baseUrl, token } = providers.voiceos;
    connectors.set('VOICEOS', createVoiceOsConnector({ baseUrl, credentials: { token }, transport: transports.VOICEOS, timeoutMs }));
  }
  return connectors;
}
