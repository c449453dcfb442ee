import { describe, expect, it } from 'vitest';
import { BatchContractError } from '../../src/batchContractError.ts';
import type { Agent, Provider } from '../../src/domain/types.ts';
import type { FanoutService } from '../../src/fanout/fanoutService.ts';
import { createLoaders } from '../../src/loaders.ts';
import type { ProviderConnector } from '../../src/providers/connector.ts';
import type { Workspace } from '../../src/workspaces/workspaceRegistry.ts';

/**
 * Issue 8, part 3: a connector whose batch read answered fewer values than ids made the missing
 * ones resolve to null, which the API reports as NOT_FOUND: a bug that looks like data. The
 * loaders now refuse such an answer loudly, as `dataloader` does for its own batch functions.
 */
function agent(nativeId: string): Agent {
  return {
    kind: 'Agent',
    provider: 'TRATA',
    nativeId,
    name: nativeId,
    prompt: null,
    initialMessage: null,
    maxDurationSeconds: null,
    llm: null,
    transcriber: null,
    voice: null,
    webhooks: [],
    hookEvents: [],
    metadata: null,
    createdAt: null,
    updatedAt: null,
    providerAccountId: null,
    maxDurationUnlimited: null,
    hooks: [],
    trata: null,
  };
}

function workspaceAnswering(getAgents: (ids: readonly string[]) => Promise<unknown>): Workspace {
  // Only the method under test: the loaders never call anything else for agents.
  const connector = { provider: 'TRATA', getAgents } as unknown as ProviderConnector;
  const workspace: Workspace = {
    id: 'w',
    name: 'w',
    connectors: new Map<Provider, ProviderConnector>([['TRATA', connector]]),
    observedBy: () => workspace,
  };
  return workspace;
}

const refs = (...ids: string[]) => ids.map((nativeId) => ({ provider: 'TRATA' as const, nativeId }));

describe('loaders enforce the batch contract', () => {
  it('answers in key order, null for an id the provider does not know', async () => {
    const loaders = createLoaders(
      workspaceAnswering(async (ids) => ids.map((id) => (id === 'missing' ? null : agent(id)))),
      {} as FanoutService,
    );
    const values = await loaders.agent.loadMany(refs('a', 'missing', 'b'));
    expect(values.map((value) => (value instanceof Error ? value : value?.nativeId ?? null))).toEqual(['a', null, 'b']);
  });

  it('rejects every key of a batch answered with too few values', async () => {
    const loaders = createLoaders(workspaceAnswering(async (ids) => ids.slice(1).map(agent)), {} as FanoutService);
    const values = await loaders.agent.loadMany(refs('a', 'b', 'c'));
    expect(values.map((value) => value instanceof BatchContractError)).toEqual([true, true, true]);
    expect((values[0] as Error).message).toBe(
      'the TRATA connector broke the batch contract: asked for 3 ids, it answered with 2 values',
    );
  });

  it('rejects a batch answered with too many values, or with no list at all', async () => {
    const tooMany = createLoaders(workspaceAnswering(async (ids) => [...ids, 'extra'].map(agent)), {} as FanoutService);
    await expect(tooMany.agent.load(refs('a')[0]!)).rejects.toBeInstanceOf(BatchContractError);
    const notAList = createLoaders(workspaceAnswering(async () => null), {} as FanoutService);
    await expect(notAList.agent.load(refs('a')[0]!)).rejects.toThrow('with something that is not a list');
  });
});
