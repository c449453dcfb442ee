import { afterAll, describe, expect, it } from 'vitest';
import { closeProviderTransports, createProviderTransports } from '../../src/providers/connectorFactory.ts';
import type { WorkspaceConfig } from '../../src/workspaces/workspaceConfig.ts';
import { WorkspaceRegistry } from '../../src/workspaces/workspaceRegistry.ts';

/** A workspace on the Oration account `orationWorkspaceId`, reached at `baseUrl`. */
function workspace(id: string, baseUrl: string, orationWorkspaceId: string): WorkspaceConfig {
  return {
    id,
    apiKeys: [`${id}-key-0123456789abcdef`],
    providers: { oration: { baseUrl, apiKey: `${id}-oration-key`, workspaceId: orationWorkspaceId, concurrencyLimit: 20 } },
  };
}

describe('budget key: the provider account, not the URL it is reached at', () => {
  const transports = createProviderTransports();
  afterAll(() => closeProviderTransports(transports));
  const budgetOf = (registry: WorkspaceRegistry, id: string) => registry.get(id)?.connectors.get('ORATION')?.creator?.budget;

  it('two registries on simulators at different ports, for one Oration workspace, give one key', () => {
    // A restarted demo gateway reaches its simulator on a new random port; the account is the same.
    const before = new WorkspaceRegistry([workspace('demo', 'http://127.0.0.1:41234/api/v2', 'oration-ws-1')], transports, { timeoutMs: 1_000 });
    const after = new WorkspaceRegistry([workspace('demo', 'http://127.0.0.1:50321/api/v2', 'oration-ws-1')], transports, { timeoutMs: 1_000 });
    expect(budgetOf(before, 'demo')).toEqual({ key: 'ORATION:oration-ws-1', limit: 20 });
    expect(budgetOf(after, 'demo')).toEqual({ key: 'ORATION:oration-ws-1', limit: 20 });
  });

  it('different Oration workspaces on one URL keep separate budgets', () => {
    const registry = new WorkspaceRegistry(
      [workspace('a', 'https://www.oration.ai/api/v2', 'oration-ws-a'), workspace('b', 'https://www.oration.ai/api/v2', 'oration-ws-b')],
      transports,
      { timeoutMs: 1_000 },
    );
    expect(budgetOf(registry, 'a')).toEqual({ key: 'ORATION:oration-ws-a', limit: 20 });
    expect(budgetOf(registry, 'b')).toEqual({ key: 'ORATION:oration-ws-b', limit: 20 });
  });
});
