import { createHash } from 'node:crypto';
import type { Provider } from '../domain/types.ts';
import type { ProviderConnector } from '../providers/connector.ts';
import { createWorkspaceConnectors, type ProviderDispatchers } from '../providers/connectorFactory.ts';
import type { WorkspaceConfig } from './workspaceConfig.ts';

/** The concurrency budget one provider account grants, shared by everyone using that account. */
export interface BudgetDescriptor {
  /** Identifies the provider account, not the gateway workspace: two workspaces on one account share it. */
  key: string;
  limit: number;
}

export interface Workspace {
  id: string;
  name: string;
  connectors: ReadonlyMap<Provider, ProviderConnector>;
  budgets: ReadonlyMap<Provider, BudgetDescriptor>;
}

/**
 * The budget of an Oration account. Oration grants its limit per workspace, so the workspace id is
 * the account; the base URL is not part of it, since one account may be reached at another
 * address (a demo simulator on a new port after a restart, a proxy) and must not get a second budget.
 * Migration 0002 rewrote the older `ORATION:<host>:<workspace id>` keys to this form.
 */
export function orationBudgetKey(orationWorkspaceId: string): string {
  return `ORATION:${orationWorkspaceId}`;
}

/**
 * Maps API keys to workspaces. Keys are held only as SHA-256 digests, so a heap dump or a log of
 * this object shows no key, and lookup by digest does not leak a key's prefix through timing.
 */
export class WorkspaceRegistry {
  readonly #byKeyDigest = new Map<string, Workspace>();
  readonly #byId = new Map<string, Workspace>();

  constructor(configs: readonly WorkspaceConfig[], dispatchers: ProviderDispatchers, options: { timeoutMs: number }) {
    for (const config of configs) {
      const budgets = new Map<Provider, BudgetDescriptor>();
      if (config.providers.oration) {
        const { workspaceId, concurrencyLimit } = config.providers.oration;
        budgets.set('ORATION', { key: orationBudgetKey(workspaceId), limit: concurrencyLimit });
      }
      const workspace: Workspace = {
        id: config.id,
        name: config.name ?? config.id,
        connectors: createWorkspaceConnectors(config.providers, dispatchers, options),
        budgets,
      };
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

  all(): Workspace[] {
    return [...this.#byId.values()];
  }
}

function digest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
