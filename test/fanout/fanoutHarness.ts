import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { FanoutService, type FanoutServiceOptions } from '../../src/fanout/fanoutService.ts';
import type { FanoutTiming } from '../../src/fanout/fanoutTiming.ts';
import type { BatchItemView } from '../../src/fanout/views.ts';
import { toGlobalId } from '../../src/domain/globalId.ts';
import type { Provider } from '../../src/domain/types.ts';
import type { BudgetDescriptor, ConversationCreator, ProviderConnector } from '../../src/providers/connector.ts';
import { createProviderDispatcher } from '../../src/providers/http.ts';
import { createOrationConnector } from '../../src/providers/oration/orationConnector.ts';
import { createTrataConnector } from '../../src/providers/trata/trataConnector.ts';
import { DEMO_ACCOUNTS } from '../../src/simulators/demoAccounts.ts';
import {
  createOrationSimulator,
  type OrationSimulator,
  type OrationSimulatorOptions,
} from '../../src/simulators/oration/orationSimulator.ts';
import { ORATION_DOCUMENTED_IDS } from '../../src/simulators/oration/samples.ts';
import type { OrationBudgetStats } from '../../src/simulators/oration/concurrencyBudget.ts';
import type { Database } from '../../src/store/database.ts';

export const [DEMO_ACCOUNT, ACME_ACCOUNT] = DEMO_ACCOUNTS.oration;
/** The agent of the Oration document's examples; the demo account has it. */
export const AGENT_NATIVE_ID = ORATION_DOCUMENTED_IDS.exampleAgent;
export const AGENT_ID = toGlobalId({ provider: 'ORATION', type: 'Agent', nativeId: AGENT_NATIVE_ID });

/** Gateway workspaces of the tests and the Oration account each one uses. */
export const WORKSPACE = 'ws-demo';
export const OTHER_WORKSPACE = 'ws-other';

/** Short calls of a fixed length (50 queued + 50 dialing + 150 talking), nobody misses one. */
export const SHORT_CALLS: OrationSimulatorOptions['lifecycle'] = {
  queueMs: { kind: 'fixed', ms: 50 },
  dialMs: { kind: 'fixed', ms: 50 },
  talkMs: { kind: 'fixed', ms: 150 },
  unansweredRate: 0,
  failRate: 0,
};

/**
 * Fast pacing for tests: a 100 ms poll and leases of a few seconds. The reconcile grace is the
 * landing window derived from the connector's timeout, which `startService` passes along.
 */
export const FAST_TIMING: Partial<FanoutTiming> = {
  pollIntervalMs: 100,
  leaseMs: 3_000,
  sendWindowMs: 200,
  providerSettleMs: 500,
  reconcileIntervalMs: 100,
  reconcileRetryMs: 200,
  maxReconcileAttempts: 3,
  observationTtlMs: 1_000,
  defaultRetryAfterMs: 200,
  unreachableBackoffMs: 200,
  discoveryIntervalMs: 200,
  errorBackoffMs: 100,
};

export interface Harness {
  simulator: OrationSimulator;
  /** Base URL of the simulated Oration API (`.../api/v2`). */
  apiUrl: string;
  /** A unique budget key for this harness, so tests sharing a database never share a budget. */
  budgetKey: string;
  limit: number;
  connectorFor(workspaceId: string, provider: Provider): ProviderConnector;
  /** `connectorFor` with the Oration creator's configured limit set to `limit` (the key stays the harness's). */
  connectorForLimit(limit: number): (workspaceId: string, provider: Provider) => ProviderConnector;
  /** Starts a FanoutService ("replica") on `database`; stopped by `close` unless stopped before. */
  startService(database: Database, options?: Partial<FanoutServiceOptions>): Promise<FanoutService>;
  /** Budget figures of the demo account. */
  stats(): OrationBudgetStats;
  errors: string[];
  close(): Promise<void>;
}

export async function startHarness(options: {
  limit: number;
  lifecycle?: OrationSimulatorOptions['lifecycle'];
  timeoutMs?: number;
  /** Pretend the creator's creates may be partial (a provider that creates item by item). @default true, as Oration */
  allOrNothing?: boolean;
}): Promise<Harness> {
  const simulator = createOrationSimulator({
    concurrencyLimit: options.limit,
    lifecycle: options.lifecycle ?? SHORT_CALLS,
    historicConversations: 10,
  });
  const apiUrl = `${await simulator.listen(0)}/api/v2`;
  const dispatcher: Dispatcher = createProviderDispatcher();
  const timeoutMs = options.timeoutMs ?? 2_000;
  const transport = { dispatcher, resilience: null };
  const realOration = createOrationConnector({
    baseUrl: apiUrl,
    credentials: { apiKey: DEMO_ACCOUNT.apiKey, workspaceId: DEMO_ACCOUNT.workspaceId },
    transport,
    timeoutMs,
  });
  // A real Trata connector: it cannot create conversations, which is what validation must see.
  const trata = createTrataConnector({ baseUrl: 'http://127.0.0.1:9/v1', credentials: { token: 'unused' }, transport, timeoutMs });
  const budgetKey = `ORATION:${DEMO_ACCOUNT.workspaceId}:${randomUUID().slice(0, 8)}`;
  const services: FanoutService[] = [];
  const errors: string[] = [];

  const connectorForLimit = (limit: number) => {
    const orationWithLimit = withBudget(realOration, { key: budgetKey, limit }, options.allOrNothing);
    return (workspaceId: string, provider: Provider): ProviderConnector => {
      if (workspaceId !== WORKSPACE && workspaceId !== OTHER_WORKSPACE) throw new Error(`unknown workspace ${workspaceId}`);
      if (provider === 'ORATION') return orationWithLimit;
      if (provider === 'TRATA') return trata;
      throw new Error(`workspace ${workspaceId} has no ${provider} account`);
    };
  };
  const connectorFor = connectorForLimit(options.limit);

  return {
    simulator,
    apiUrl,
    budgetKey,
    limit: options.limit,
    connectorFor,
    connectorForLimit,
    async startService(database, overrides = {}) {
      const service = new FanoutService({
        database,
        replicaId: `replica-${randomUUID().slice(0, 8)}`,
        connectorFor,
        onError: (error, during) => errors.push(`${during}: ${error instanceof Error ? error.message : String(error)}`),
        ...overrides,
        // The landing window needs the connector's real timeout, whatever else a test changes.
        timing: { ...FAST_TIMING, upstreamTimeoutMs: timeoutMs, ...overrides.timing },
      });
      services.push(service);
      await service.start();
      return service;
    },
    stats: () => {
      const stats = simulator.budgetStats()[DEMO_ACCOUNT.workspaceId];
      if (!stats) throw new Error('the demo account has no budget figures');
      return stats;
    },
    errors,
    async close() {
      await Promise.all(services.map((service) => service.stop()));
      await dispatcher.close();
      await simulator.close();
    },
  };
}

/**
 * The connector with its creator drawing on `budget` instead of the account's own: each harness
 * gets a budget key of its own, so tests sharing a database never share a budget.
 */
function withBudget(connector: ProviderConnector, budget: BudgetDescriptor, allOrNothing?: boolean): ProviderConnector {
  const { creator } = connector;
  if (!creator) return connector;
  const rebudgeted: ConversationCreator = {
    maxConversationsPerCreate: creator.maxConversationsPerCreate,
    allOrNothing: allOrNothing ?? creator.allOrNothing,
    budget,
    channels: creator.channels,
    createConversations: (requests, createOptions) => creator.createConversations(requests, createOptions),
    findConversationsByRequestIds: (requestIds, createdAfter) => creator.findConversationsByRequestIds(requestIds, createdAfter),
    readStatuses: (nativeIds) => creator.readStatuses(nativeIds),
  };
  return { ...connector, creator: rebudgeted };
}

/** `count` valid phone calls through the document's example agent. */
export function phoneCalls(count: number, tag = 'c') {
  return Array.from({ length: count }, (_, i) => ({
    agentId: AGENT_ID,
    channel: 'PHONE_OUTBOUND',
    toNumber: `+1415555${String(1000 + i).padStart(4, '0')}`,
    dynamicVariables: { customerName: `Customer ${tag}-${i}`, attempt: 1, vip: i % 3 === 0 },
  }));
}

/** Every item of a batch, across pages. */
export async function allItems(service: FanoutService, workspaceId: string, batchId: string): Promise<BatchItemView[]> {
  const items: BatchItemView[] = [];
  for (;;) {
    const page = await service.listItems(workspaceId, batchId, { first: 500, after: items.at(-1)?.index ?? null });
    if (!page) throw new Error(`batch ${batchId} not found`);
    items.push(...page.nodes);
    if (!page.hasNextPage) return items;
  }
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Counts of values, e.g. item states: `{ ENDED: 60 }`. */
export function tally<T extends string>(values: readonly T[]): Partial<Record<T, number>> {
  const counts: Partial<Record<T, number>> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
