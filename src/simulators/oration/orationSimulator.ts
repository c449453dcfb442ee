/**
 * The Oration simulator: the document's `POST /api/v2/conversations` and the status reads it
 * points to, with the concurrency budget enforced the way the document describes it.
 *
 * Assumptions where the document is silent (the connector's README lists the same ones):
 * - Auth: `x-api-key` and `x-workspace-id` must name one account together, else
 *   401 `{ "error": "Unauthorized" }`. Each account's data is its own.
 * - Budget: `concurrencyLimit` slots per account (document: 20). Every created conversation, chat
 *   or telephony, holds a slot from the create ("queued") through "dialing" and "active" until it
 *   is "ended" or "failed". A create asking for more slots than are free is refused as a whole:
 *   429, nothing created, `Retry-After` = seconds until the earliest held slot frees (at least 1).
 *   Items refused on their own (next point) ask for no slot.
 * - Every answer to an authenticated request carries `X-RateLimit-Limit` and
 *   `X-RateLimit-Remaining` (free slots after the request).
 * - Create validation: a wrong JSON type anywhere, an empty list or more than 100 items is a 400
 *   `{ error }` for the whole body; an unknown `agentId`, a `conversationType` other than chat or
 *   telephony, or telephony without `toPhoneNumber` and `sipTrunkAddress` puts `{ error }` for that
 *   item in `errors` (in request order) and creates the others. `results` come in request order.
 * - `dynamicVariables` is echoed in results as a JSON-encoded string, as the document shows.
 * - Lifecycle (statuses beyond "queued" assumed): queued -> dialing -> active -> ended; unanswered
 *   calls end from dialing with `user_did_not_answer`; some fail with `endReason` "error". A chat has
 *   no dialing phase. Status and timestamps are derived from the clock on every read.
 * - `GET /api/v2/conversations`: `page` (1-based), `limit` (1..100, default 20), `status`,
 *   `conversationType`, `agentId`, `createdAfter` / `createdBefore` (ISO, exclusive), `ids`
 *   (comma-separated, at most 100). Newest first (createdAt desc, id desc).
 *   Answer `{ results, total, page, limit }`. `GET /api/v2/conversations/:id` or 404.
 * - `GET /api/v2/agents` (same paging and `ids`) and `GET /api/v2/agents/:id`; agent shape assumed
 *   (see `OrationAgentRecord`).
 * - The response never names `sipTrunkAddress` (the document's response has no such field).
 *
 * With `stateDir`, conversations created through the API outlive the process like a real
 * provider's do: each create is journaled (`orationJournal.ts`) before it is answered, and a new
 * simulator on the same directory resumes them (their statuses follow their planned times, their
 * slots are held until those end) and draws new ids where the last one stopped. Nothing saved
 * depends on the port the simulator listens on.
 */
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { DEMO_ACCOUNTS, DEMO_ANCHOR } from '../demoAccounts.ts';
import { SeededRandom } from '../shared/random.ts';
import {
  providerSimulatorOf,
  SimulatorServer,
  type ProviderSimulator,
  type Route,
  type SimRequest,
  type SimResponse,
} from '../shared/simulatorServer.ts';
import type { OrationBudgetStats } from './concurrencyBudget.ts';
import { DEFAULT_ORATION_LIFECYCLE, type OrationLifecycle } from './liveConversation.ts';
import { LiveConversation } from './liveConversation.ts';
import { OrationAccount, type OrationAccountConfig } from './orationAccount.ts';
import { ORATION_JOURNAL_FILE, OrationJournal, OrationJournalError } from './orationJournal.ts';
import { parseCreateBody, type OrationCreateItem } from './parseCreateBody.ts';
import { parseListQuery } from './parseListQuery.ts';
import { WebhookSender, type WebhookEvent, type WebhookTarget } from '../shared/webhookSender.ts';

export interface OrationSimulatorOptions {
  /** @default DEMO_ACCOUNTS.oration */
  accounts?: readonly OrationAccountConfig[];
  /** Concurrent conversations per account. @default 20 */
  concurrencyLimit?: number;
  /** Overrides of the demo lifecycle (calls of a few seconds). */
  lifecycle?: Partial<OrationLifecycle>;
  /** Seed of live conversations' ids and timelines. @default 1 */
  seed?: number;
  latency?: { minMs: number; maxMs: number };
  /** Past conversations generated per account. @default 150 */
  historicConversations?: number;
  /** Clock in epoch milliseconds; a test may drive it. @default Date.now */
  now?: () => number;
  /**
   * Directory that keeps created conversations across restarts (`oration.jsonl` in it). Unset:
   * they live in memory only. One simulator per directory at a time.
   */
  stateDir?: string;
}

/** The API lives under `<url>/api/v2`. */
export interface OrationSimulator extends ProviderSimulator {
  /** Budget figures per account, keyed by workspace id. */
  budgetStats(): Record<string, OrationBudgetStats>;
  /** Changes an account's limit at runtime (another client sharing the workspace, a raised quota). */
  setConcurrencyLimit(workspaceId: string, limit: number): void;
  /**
   * Sends the account's conversation events (`conversation:started` when dialing starts,
   * `phone_call:accepted` when the user joins, `conversation:ended` at the end, with the status)
   * to `target.url` from now on; null stops. Oration documents no webhooks: the events are the
   * gateway's assumption, named like VoiceOS's hook events.
   */
  setWebhookTarget(workspaceId: string, target: WebhookTarget | null): void;
  webhookStats(): { delivered: number; failed: number };
}

const UNAUTHORIZED: SimResponse = { status: 401, body: { error: 'Unauthorized' } };

export function createOrationSimulator(options: OrationSimulatorOptions = {}): OrationSimulator {
  const now = options.now ?? Date.now;
  const lifecycle: OrationLifecycle = { ...DEFAULT_ORATION_LIFECYCLE, ...options.lifecycle };
  const accounts = (options.accounts ?? DEMO_ACCOUNTS.oration).map(
    (config) =>
      new OrationAccount(config, {
        anchor: DEMO_ANCHOR,
        historicConversations: options.historicConversations ?? 150,
        concurrencyLimit: options.concurrencyLimit ?? 20,
      }),
  );
  const journal = options.stateDir === undefined ? null : OrationJournal.open(join(options.stateDir, ORATION_JOURNAL_FILE));
  let resumedRandomState: number | undefined;
  try {
    resumedRandomState = journal ? resume(journal, accounts) : undefined;
  } catch (error) {
    journal?.close();
    throw error;
  }
  const random = new SeededRandom(resumedRandomState ?? options.seed ?? 1);
  const webhooks = new WebhookSender(now);

  const accountFor = (headers: IncomingMessage['headers']): OrationAccount | null => {
    const apiKey = headers['x-api-key'];
    const workspaceId = headers['x-workspace-id'];
    return (
      accounts.find((account) => account.config.apiKey === apiKey && account.config.workspaceId === workspaceId) ?? null
    );
  };

  /** Resolves the caller's account and stamps the budget headers on whatever the handler answers. */
  const forAccount =
    (handler: (account: OrationAccount, request: SimRequest, nowMs: number) => SimResponse) =>
    (request: SimRequest): SimResponse => {
      const account = accountFor(request.headers);
      if (!account) return UNAUTHORIZED;
      const nowMs = now();
      const response = handler(account, request, nowMs);
      return {
        ...response,
        headers: {
          ...response.headers,
          'x-ratelimit-limit': String(account.budget.limit),
          'x-ratelimit-remaining': String(account.budget.free(nowMs)),
        },
      };
    };

  const createConversations = (account: OrationAccount, request: SimRequest, nowMs: number): SimResponse => {
    const parsed = parseCreateBody(request.body);
    if (!parsed.ok) return { status: 400, body: { error: parsed.error } };
    const accepted: OrationCreateItem[] = [];
    const errors: { error: string }[] = [];
    for (const item of parsed.items) {
      const problem = account.problemWith(item);
      if (problem === null) accepted.push(item);
      else errors.push({ error: problem });
    }
    if (accepted.length > account.budget.free(nowMs)) {
      account.budget.recordRejection();
      return {
        status: 429,
        headers: { 'retry-after': String(account.budget.retryAfterSeconds(nowMs)) },
        body: { error: `Concurrency limit reached: ${account.budget.limit} active or dialing conversations per workspace` },
      };
    }
    const created = accepted.map((item) => account.plan(item, { nowMs, lifecycle, random }));
    // On disk before it exists: whatever the caller is told was created survives a crash.
    if (created.length > 0) {
      journal?.append({
        workspaceId: account.config.workspaceId,
        randomState: random.state,
        conversations: created.map((conversation) => conversation.snapshot()),
      });
    }
    for (const conversation of created) {
      account.admit(conversation, nowMs);
      webhooks.schedule(account.config.workspaceId, lifecycleEvents(conversation));
    }
    return { status: 200, body: { results: created.map((conversation) => conversation.recordAt(nowMs)), errors } };
  };

  const listConversations = (account: OrationAccount, request: SimRequest, nowMs: number): SimResponse => {
    const parsed = parseListQuery(request.query);
    if (!parsed.ok) return { status: 400, body: { error: parsed.error } };
    const { results, total } = account.listConversations(parsed.query, nowMs);
    return { status: 200, body: { results, total, page: parsed.query.page, limit: parsed.query.limit } };
  };

  const getConversation = (account: OrationAccount, request: SimRequest, nowMs: number): SimResponse => {
    const conversation = account.conversation(request.params.id ?? '', nowMs);
    return conversation ? { status: 200, body: conversation } : { status: 404, body: { error: 'Conversation not found' } };
  };

  const listAgents = (account: OrationAccount, request: SimRequest): SimResponse => {
    const parsed = parseListQuery(request.query);
    if (!parsed.ok) return { status: 400, body: { error: parsed.error } };
    const { results, total } = account.listAgents(parsed.query);
    return { status: 200, body: { results, total, page: parsed.query.page, limit: parsed.query.limit } };
  };

  const getAgent = (account: OrationAccount, request: SimRequest): SimResponse => {
    const agent = account.agent(request.params.id ?? '');
    return agent ? { status: 200, body: agent } : { status: 404, body: { error: 'Agent not found' } };
  };

  const routes: Route[] = [
    { method: 'POST', pattern: '/api/v2/conversations', handler: forAccount(createConversations) },
    { method: 'GET', pattern: '/api/v2/conversations', handler: forAccount(listConversations) },
    { method: 'GET', pattern: '/api/v2/conversations/:id', handler: forAccount(getConversation) },
    { method: 'GET', pattern: '/api/v2/agents', handler: forAccount(listAgents) },
    { method: 'GET', pattern: '/api/v2/agents/:id', handler: forAccount(getAgent) },
  ];

  const budgetStats = (): Record<string, OrationBudgetStats> => {
    const nowMs = now();
    return Object.fromEntries(accounts.map((account) => [account.config.workspaceId, account.budget.stats(nowMs)]));
  };

  const server = new SimulatorServer({
    name: 'oration',
    routes,
    authenticate: (headers) => (accountFor(headers) ? null : UNAUTHORIZED),
    extraStats: () => ({ budgets: budgetStats() }),
    ...(options.latency ? { latency: options.latency } : {}),
  });

  return Object.assign(providerSimulatorOf(server), {
    close: async () => {
      await webhooks.close();
      await server.close();
      journal?.close();
    },
    setWebhookTarget: (workspaceId: string, target: WebhookTarget | null) => webhooks.setTarget(workspaceId, target),
    webhookStats: () => webhooks.stats(),
    budgetStats,
    setConcurrencyLimit(workspaceId: string, limit: number) {
      const account = accounts.find((candidate) => candidate.config.workspaceId === workspaceId);
      if (!account) throw new Error(`No Oration account with workspace ${workspaceId}`);
      account.budget.setLimit(limit);
    },
  });
}

/**
 * Gives every account back the conversations the journal holds, in the order they were created,
 * and returns the random state to draw on from (the seed is only where a fresh journal starts).
 */
function resume(journal: OrationJournal, accounts: readonly OrationAccount[]): number | undefined {
  let randomState: number | undefined;
  for (const [index, entry] of journal.entries.entries()) {
    const account = accounts.find((candidate) => candidate.config.workspaceId === entry.workspaceId);
    if (!account) {
      throw new OrationJournalError(`${journal.path} entry ${index + 1} names workspace ${entry.workspaceId}, which this simulator has no account for`);
    }
    for (const snapshot of entry.conversations) account.admit(LiveConversation.fromSnapshot(snapshot), snapshot.input.createdAtMs);
    randomState = entry.randomState;
  }
  return randomState;
}

/** The events a conversation sends over its life, at the instants its timeline says. */
function lifecycleEvents(conversation: LiveConversation): WebhookEvent[] {
  const { timeline } = conversation.snapshot();
  const event = (type: string, atMs: number): WebhookEvent => ({
    id: `msg_${conversation.id}_${type.replace(':', '_')}`,
    type,
    conversationId: conversation.id,
    status: conversation.statusAt(atMs),
    occurredAtMs: atMs,
  });
  return [
    event('conversation:started', timeline.dialStartMs),
    ...(timeline.joinMs === null ? [] : [event('phone_call:accepted', timeline.joinMs)]),
    event('conversation:ended', timeline.endMs),
  ];
}
