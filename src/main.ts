/**
 * The only module with side effects at start: configuration -> dependencies -> listen.
 * `npm start` runs it (through bin/switchboard.js, in the same process); with no workspaces file
 * it starts demo mode on the simulators.
 */
import type { AddressInfo } from 'node:net';
import { ConfigError, credentialsIn, loadConfig } from './config.ts';
import { StartupError } from './startupErrors.ts';
import { DEMO_API_KEYS, startDemoEnvironment, type DemoEnvironment } from './demo/demoEnvironment.ts';
import { createProcessLogger, logFormatOf } from './observability/logging.ts';
import { startGatewayRuntime } from './gatewayRuntime.ts';
import { CODE_FORM } from './codeForm.ts';
import { isLoopbackHost } from './http/loopbackGuard.ts';
import { routeStopSignals, type StopSignal, type StopSignalRoute } from './stopSignals.ts';

/** The README's first query (one ended conversation from each provider), prefilled in the demo's explorers. */
const SAMPLE_QUERY = `{
  all: conversations(first: 0) { totalCount }
  oration: conversations(first: 1, filter: { providers: [ORATION], statuses: [ENDED] }) { totalCount nodes { ...call } }
  trata: conversations(first: 1, filter: { providers: [TRATA], statuses: [ENDED] }) { totalCount nodes { ...call } }
  voiceos: conversations(first: 1, filter: { providers: [VOICEOS], statuses: [ENDED] }) { totalCount nodes { ...call } }
}
fragment call on Conversation {
  provider status agent { name } prospect { name }
  transcript { messages { speaker text } } cost { currency total }
}`;

/** Time left after the shutdown bound for closing the upstream pools and the store. */
const FINAL_CLOSE_MS = 2_000;

/**
 * A SIGINT or SIGTERM that arrives while the gateway starts (a new store's initdb takes seconds):
 * start-up finishes, then shuts down at once as for a signal after it, so the store is closed and
 * its lease released. Without it the signal ended the process mid-start, leaving the lease to be
 * taken over by the next start. A second one ends the process at once, as a second Ctrl-C does.
 */
const signalDuringStartUp: { signal: StopSignal | null } = { signal: null };
function onSignalDuringStartUp(signal: StopSignal): void {
  if (signalDuringStartUp.signal !== null) process.exit(130);
  signalDuringStartUp.signal = signal;
  process.stderr.write(`${signal} during start-up: Switchboard stops once started\n`);
}

async function main(): Promise<void> {
  const stopSignals = routeStopSignals(onSignalDuringStartUp);
  const config = loadConfig();
  const { env } = config;

  let demo: DemoEnvironment | null = null;
  if (config.workspaces === null) demo = await startDemoEnvironment(env);
  try {
    await serve(config, demo, stopSignals);
  } catch (error) {
    // The runtime closed what it opened; the simulators (and their state directory) close too.
    await demo?.close();
    throw error;
  }
}

async function serve(config: ReturnType<typeof loadConfig>, demo: DemoEnvironment | null, stopSignals: StopSignalRoute): Promise<void> {
  const { env } = config;
  const workspaces = config.workspaces ?? demo?.workspaces ?? [];
  // Every configured credential is scrubbed from log lines by value, whatever the line's shape;
  // the demo API keys are published in the README, so the start-up hint may show them.
  const publicKeys: readonly string[] = Object.values(DEMO_API_KEYS);
  const secrets = credentialsIn(workspaces).filter((secret) => !publicKeys.includes(secret));
  const logger = await createProcessLogger(env.LOG_LEVEL, logFormatOf(env), { secrets });
  for (const unknown of config.unknownSettings) {
    const hint = unknown.didYouMean.length > 0 ? `; did you mean ${unknown.didYouMean.join(' or ')}?` : '';
    logger.warn(`${unknown.name} is set but is no setting of this gateway, so it is ignored${hint} (docs/configuration.md)`);
  }
  if (demo) logger.info('demo mode: provider simulators started', { simulators: demo.simulatorUrls, stateDir: demo.simulatorStateDir });
  const runtime = await startGatewayRuntime({
    env,
    workspaces,
    logger,
    listen: { port: env.PORT, host: env.HOST },
    ...(demo && {
      gateway: {
        sandboxInitialState: { headers: { Authorization: `Bearer ${DEMO_API_KEYS.demo}` }, document: SAMPLE_QUERY },
        // Its keys are public: on loopback, only requests addressed to this machine (http/loopbackGuard.ts).
        loopbackHostsOnly: isLoopbackHost(hostInUrl(env.HOST)),
      },
    }),
  });
  // The port bound, not PORT: PORT=0 takes any free one.
  const { port } = runtime.gateway.httpServer.address() as AddressInfo;
  logger.info(`Switchboard listening on http://${env.HOST === '0.0.0.0' ? 'localhost' : hostInUrl(env.HOST)}:${port}/graphql`, {
    mode: demo ? 'demo' : 'configured',
    pid: process.pid,
    // Which form of the code runs: build/ (compiled by `npm run build`) or src/ (types stripped at load).
    code: CODE_FORM,
    store: env.DATABASE_URL ? 'postgresql' : `pglite (${env.SWITCHBOARD_DATA_DIR})`,
    ...(runtime.database.opened && { storeOpened: runtime.database.opened === 'new' ? 'new store created' : 'existing store opened' }),
    workspaces: workspaces.map((w) => w.id),
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const timeoutMs = env.SWITCHBOARD_SHUTDOWN_TIMEOUT_MS;
    logger.info('shutting down', { signal, timeoutMs });
    // Items in flight are safe in the store; closing pools and the store after the bound must
    // not hang either, so a last timer ends the process whatever still runs.
    setTimeout(() => {
      logger.error(`graceful shutdown took over ${timeoutMs + FINAL_CLOSE_MS} ms; exiting`);
      process.exit(1);
    }, timeoutMs + FINAL_CLOSE_MS).unref();
    const { drained } = await runtime.close({ timeoutMs });
    await demo?.close();
    if (drained) logger.info('stopped: operations and provider calls in flight finished, leases released, store closed');
    else logger.warn(`stopped after ${timeoutMs} ms (SWITCHBOARD_SHUTDOWN_TIMEOUT_MS) with work cut off; the store reconciles it`);
    process.exit(drained ? 0 : 1);
  };
  // Swapped behind the one listener, never removed and re-added: a signal already delivered would be dropped (stopSignals.ts).
  stopSignals.handleWith((signal) => void shutdown(signal));
  if (signalDuringStartUp.signal !== null) return void shutdown(signalDuringStartUp.signal);

  if (demo) {
    // The simulators run in this process: they reach the gateway on loopback, whatever HOST is.
    // After the signal handlers: a SIGTERM while this awaits the store still shuts down gracefully,
    // and once it has, start-up says nothing more (its lines after "shutting down" read as a restart).
    try {
      const registered = await demo.sendWebhooksTo(`http://${loopbackOf(env.HOST)}:${port}`, (workspaceId) => runtime.live.webhookToken(workspaceId));
      if (!stopping) logger.info('demo mode: the simulators send webhooks to this gateway', { endpoints: registered });
    } catch (error) {
      if (!stopping) {
        logger.warn('demo mode: the simulators could not be pointed at this gateway\'s webhooks; status polls still see every change', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    if (!stopping) logger.info(`demo mode: the API key is "${DEMO_API_KEYS.demo}" (README, Quick start, shows both ways to send it)`);
  }
}

/** How a client in this process reaches a server listening on `host`. */
function loopbackOf(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return hostInUrl(host);
}

/** An IPv6 address goes in brackets in a URL. */
function hostInUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartupError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Switchboard failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
