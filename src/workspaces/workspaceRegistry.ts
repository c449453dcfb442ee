import { createHash } from 'node:crypto';
import type { Provider } from '../domain/types.ts';
import type { ProviderConnector, WorkspaceConnector } from '../providers/connector.ts';
import { createWorkspaceConnectors, type ProviderTransports } from '../providers/connectorFactory.ts';
import type { UpstreamObserver } from '../providers/http.ts';
import type { WorkspaceConfig } from './workspaceConfig.ts';

export interface Workspace {
  id: string;
  name: string;
  /** The workspace's provider accounts; a connector's `creator` carries its account's budget. */
  connectors: ReadonlyMap<Provider, ProviderConnector>;
  /**
   * The same workspace with connectors whose upstream requests report to `observer` instead of the
   * transports' own: made for each observed GraphQL request, so its access line counts the requests
   * sent for it. Its connectors are the workspace's own, re-pointed (`WorkspaceConnector.reportingTo`):
   * the accounts' credentials and digests are taken once, with the workspace.
   */
  observedBy(observer: UpstreamObserver): Workspace;
}

/**
 * Maps API keys to workspaces. Keys are held only as SHA-256 digests, so a heap dump or a log of
 * this object shows no key, and lookup by digest does not leak a key's prefix through timing.
 */
export class WorkspaceRegistry {
  readonly #byKeyDigest = new Map<string, Workspace>();
  readonly #byId = new Map<string, Workspace>();
  /** The providers at which some workspace has an account. */
  readonly #providers = new Set<Provider>();

  constructor(configs: readonly WorkspaceConfig[], transports: ProviderTransports, options: { timeoutMs: number }) {
    for (const config of configs) {
      const workspace = workspaceOver(config, createWorkspaceConnectors(config.providers, transports, options));
      for (const provider of workspace.connectors.keys()) this.#providers.add(provider);
      this.#byId.set(config.id, workspace);
      for (const key of config.apiKeys) this.#byKeyDigest.set(digest(key), workspace);
    }
  }

  authenticate(apiKey: string): Workspace | null {
    return this.#byKeyDigest.get(digest(apiKey)) ?? null;
  }

  get(id: string): Workspace | null {
    return this.#byId.get(id) ?? null;
  }

  /** The providers at which some workspace has an account (readiness weighs only their breakers). */
  providers(): ReadonlySet<Provider> {
    return this.#providers;
  }

  all(): Workspace[] {
    return [...this.#byId.values()];
  }
}

function workspaceOver(config: WorkspaceConfig, connectors: ReadonlyMap<Provider, WorkspaceConnector>): Workspace {
  return {
    id: config.id,
    name: config.name ?? config.id,
    connectors,
    observedBy: (observer) =>
      workspaceOver(config, new Map([...connectors].map(([provider, connector]) => [provider, connector.reportingTo(observer)]))),
  };
}

function digest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
