/**
 * Contender (a): the gateway's schema and resolvers, served by a bare `graphql-http` server, with
 * loaders that do not batch (nor cache): every agent and prospect a page names is its own upstream
 * request. Shows what DataLoader batching is worth. Started by bench/read-path.ts.
 */
import { createServer } from 'node:http';
import { makeExecutableSchema } from '@graphql-tools/schema';
import DataLoader from 'dataloader';
import { createHandler } from 'graphql-http/lib/use/http';
import type { GatewayContext } from '../../src/context.ts';
import type { EntityRef } from '../../src/domain/types.ts';
import type { BatchSnapshotKey, Loaders } from '../../src/loaders.ts';
import type { ProviderConnector } from '../../src/providers/connector.ts';
import { resolvers } from '../../src/resolvers/index.ts';
import { loadTypeDefs } from '../../src/schema.ts';
import type { Workspace } from '../../src/workspaces/workspaceRegistry.ts';
import { benchSetup, gatewayRegistry } from './contenderEnv.ts';

const { apiKey, port } = benchSetup();
const registry = gatewayRegistry();
const workspace = registry.authenticate(apiKey);
if (!workspace) throw new Error('the bench workspace does not accept its own key');

/** One request per reference: no batching, no per-request cache. */
function oneByOne<T>(workspace: Workspace, fetch: (connector: ProviderConnector, ids: string[]) => Promise<(T | null)[]>) {
  return new DataLoader<EntityRef, T | null, string>(
    async ([ref]) => {
      const connector = workspace.connectors.get(ref!.provider);
      return [connector ? ((await fetch(connector, [ref!.nativeId]))[0] ?? null) : null];
    },
    { batch: false, cache: false },
  );
}

const notUsed = <K = string>() =>
  new DataLoader<K, never, string>(async () => {
    throw new Error('not used by the benchmark query');
  });

const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as never });
const handler = createHandler<GatewayContext & Record<PropertyKey, unknown>>({
  schema,
  context: () => {
    const loaders: Loaders = {
      conversation: oneByOne(workspace, (c, ids) => c.getConversations(ids)),
      agent: oneByOne(workspace, (c, ids) => c.getAgents(ids)),
      prospect: oneByOne(workspace, async (c, ids) => (c.prospects ? c.prospects.getProspects(ids) : ids.map(() => null))),
      batch: notUsed(),
      batchItemByRequestId: notUsed(),
      batchSnapshot: notUsed<BatchSnapshotKey>(),
    };
    return { workspace, loaders, fanout: null as never, partialErrors: [], loaderHooks: {} };
  },
});
createServer((req, res) => void handler(req, res)).listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
