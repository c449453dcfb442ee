/**
 * The only module with side effects at start: configuration -> dependencies -> listen.
 * `npm start` runs it; with no workspaces file it starts demo mode on the simulators.
 */
import { ConfigError, loadConfig } from './config.ts';
import { DEMO_API_KEYS, startDemoEnvironment, type DemoEnvironment } from './demo/demoEnvironment.ts';
import { createLogger } from './logger.ts';
import { closeProviderDispatchers, createProviderDispatchers } from './providers/connectorFactory.ts';
import { createGateway } from './server.ts';
import { WorkspaceRegistry } from './workspaces/workspaceRegistry.ts';

const SAMPLE_QUERY = `{
  conversations(first: 10) {
    totalCount
    edges {
      node {
        id provider status createdAt
        agent { name }
        prospect { name }
        transcript { messages { speaker text } }
        cost { totalUsd }
      }
    }
  }
}`;

async function main(): Promise<void> {
  const config = loadConfig();
  const { env } = config;
  const logger = createLogger(env.LOG_LEVEL);

  let demo: DemoEnvironment | null = null;
  if (config.workspaces === null) {
    demo = await startDemoEnvironment(env);
    logger.info('demo mode: provider simulators started', { simulators: demo.simulatorUrls });
  }
  const workspaces = config.workspaces ?? demo?.workspaces ?? [];
  const dispatchers = createProviderDispatchers();
  const registry = new WorkspaceRegistry(workspaces, dispatchers, { timeoutMs: env.SWITCHBOARD_UPSTREAM_TIMEOUT_MS });

  const production = env.NODE_ENV === 'production';
  const gateway = createGateway({
    registry,
    introspection: env.SWITCHBOARD_INTROSPECTION ?? !production,
    includeStacktrace: !production && env.NODE_ENV !== 'test',
    ...(demo && {
      sandboxInitialState: { headers: { Authorization: `Bearer ${DEMO_API_KEYS.demo}` }, document: SAMPLE_QUERY },
    }),
  });
  await gateway.start();
  await new Promise<void>((resolve) => gateway.httpServer.listen(env.PORT, env.HOST, resolve));
  logger.info(`Switchboard listening on http://localhost:${env.PORT}/graphql`, {
    mode: demo ? 'demo' : 'configured',
    workspaces: workspaces.map((w) => w.id),
  });
  if (demo) logger.info(`demo mode: send the header "Authorization: Bearer ${DEMO_API_KEYS.demo}" (shown in the README)`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    await gateway.stop();
    await closeProviderDispatchers(dispatchers);
    await demo?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Switchboard failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
