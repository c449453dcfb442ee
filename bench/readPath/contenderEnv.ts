import { readFileSync } from 'node:fs';
import { loadConfig, resilienceOptionsOf } from '../../src/config.ts';
import { createProviderTransports } from '../../src/providers/connectorFactory.ts';
import { WorkspaceRegistry } from '../../src/workspaces/workspaceRegistry.ts';
import { workspacesFileSchema } from '../../src/workspaces/workspaceConfig.ts';

// The orchestrator stops a contender with SIGTERM; exiting through process.exit lets
// `--cpu-prof` (BENCH_PROFILE) write the contender's profile, which a death by signal skips.
process.once('SIGTERM', () => process.exit(0));

/** The `bench` workspace of the workspaces file the orchestrator wrote, its API key and the port to listen on. */
export function benchSetup() {
  const file = process.env.SWITCHBOARD_WORKSPACES_FILE;
  if (!file) throw new Error('SWITCHBOARD_WORKSPACES_FILE is not set');
  const { workspaces } = workspacesFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const workspace = workspaces[0]!;
  return { workspace, apiKey: workspace.apiKeys[0]!, port: Number(process.env.PORT) };
}

/** The gateway's own registry and transports (same resilience settings), for a contender built from its parts. */
export function gatewayRegistry() {
  const { env } = loadConfig();
  const { workspace } = benchSetup();
  const transports = createProviderTransports({ resilience: resilienceOptionsOf(env) });
  return new WorkspaceRegistry([workspace], transports, { timeoutMs: env.SWITCHBOARD_UPSTREAM_TIMEOUT_MS });
}
