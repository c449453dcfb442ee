import type { IncomingMessage } from 'node:http';
import { DEMO_ACCOUNTS, DEMO_ANCHOR } from '../demoAccounts.ts';
import {
  providerSimulatorOf,
  SimulatorServer,
  type ProviderSimulator,
  type Route,
  type SimResponse,
} from '../shared/simulatorServer.ts';
import { generateAccountData, type VoiceOsAccountData } from './generateAccountData.ts';
import { parseConversationListQuery, parsePageQuery } from './parseListQuery.ts';
import type { AgentEvent, AgentRecord, ErrorBody, Webhook } from './wireTypes.ts';
import type { DeliveryStats } from '../shared/deliveries.ts';
import { AgentHookSender } from './agentHookSender.ts';

export interface VoiceOsSimulatorAccount {
  token: string;
  seed: number;
  /**
   * Accepted for symmetry with the other simulators. The VoiceOS document shows no sample
   * response, only field descriptions, so there is nothing to embed verbatim.
   */
  withDocumentSamples?: boolean;
}

export interface VoiceOsSimulatorOptions {
  /** @default DEMO_ACCOUNTS.voiceos */
  accounts?: readonly VoiceOsSimulatorAccount[];
  latency?: { minMs: number; maxMs: number };
  /** @default 150 */
  conversationsPerAccount?: number;
  /** The clock of the hook deliveries' `occurred_at`. @default Date.now */
  now?: () => number;
}

/** The API lives at the simulator's root. */
export interface VoiceOsSimulator extends ProviderSimulator {
  /** The account's (by token) saved agents, copies, as their owner sees them. */
  agents(token: string): AgentRecord[];
  /**
   * Replaces an agent's `webhooks`, as its owner does in VoiceOS: the document configures
   * webhooks on the agent (method GET or POST, url, events), not per API token, and documents no
   * endpoint that edits an agent, so this is a control of the simulator, not a route. The seeded
   * conversations that ran the agent ran this one configuration (the data has no history of
   * edits), so the configuration they embed changes with it; conversations run with an inline
   * configuration (`agent_id: null`) keep theirs.
   */
  setAgentWebhooks(token: string, agentId: string, webhooks: readonly Webhook[]): void;
  /**
   * One of the documented events (`conversation:started`, `conversation:ended`, ...) happens now
   * in a conversation: it is sent to the webhooks of the agent configuration the conversation
   * embeds ("the agent configuration used for the conversation") that list the event, each with
   * its method. Answers how many webhooks that was: none for a conversation the account does not
   * have, which has no agent and so no webhooks. VoiceOS's data is seeded, not live, so tests and
   * the demo trigger its events.
   */
  sendHookEvent(token: string, event: { type: AgentEvent; conversationId: string }): Promise<number>;
  hookStats(): DeliveryStats;
}

/**
 * The VoiceOS API as its document describes it (`GET /v1/conversations` with its filters and
 * paging), plus the get-by-id and agent endpoints the document implies, each account's data
 * seeded and isolated by its bearer token.
 */
export function createVoiceOsSimulator(options: VoiceOsSimulatorOptions = {}): VoiceOsSimulator {
  const accounts = options.accounts ?? DEMO_ACCOUNTS.voiceos;
  const now = options.now ?? Date.now;
  const conversationsPerAccount = options.conversationsPerAccount ?? 150;
  const dataByToken = new Map<string, VoiceOsAccountData>(
    accounts.map((account) => [
      account.token,
      generateAccountData({ seed: account.seed, conversations: conversationsPerAccount, anchor: DEMO_ANCHOR }),
    ]),
  );
  // Which `status` filters list requests carried, so tests can see what a connector pushed down.
  const statusFilters = new Map<string, number>();

  const accountOf = (headers: IncomingMessage['headers']): VoiceOsAccountData | null => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    return match?.[1] === undefined ? null : (dataByToken.get(match[1]) ?? null);
  };
  // The shared server only routes authenticated requests here.
  const requireAccount = (headers: IncomingMessage['headers']): VoiceOsAccountData => {
    const account = accountOf(headers);
    if (account === null) throw new Error('unauthenticated request reached a VoiceOS route');
    return account;
  };

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: '/v1/conversations',
      handler: ({ headers, query }) => {
        const parsed = parseConversationListQuery(query);
        if (!parsed.ok) return error(422, 'invalid_request', parsed.message);
        const { status, createdBefore, createdAfter, page, limit } = parsed.value;
        const key = status ?? '(none)';
        statusFilters.set(key, (statusFilters.get(key) ?? 0) + 1);
        const matching = requireAccount(headers).conversations.filter((conversation) => {
          const createdAt = Date.parse(conversation.created_at);
          return (
            (status === null || conversation.status === status) &&
            (createdBefore === null || createdAt < createdBefore) &&
            (createdAfter === null || createdAt > createdAfter)
          );
        });
        return ok({ total: matching.length, page, conversations: matching.slice(page * limit, (page + 1) * limit) });
      },
    },
    {
      method: 'GET',
      pattern: '/v1/conversations/:id',
      handler: ({ headers, params }) => {
        const found = requireAccount(headers).conversations.find((conversation) => conversation.id === params.id);
        return found ? ok(found) : error(404, 'not_found', 'No conversation with this id');
      },
    },
    {
      method: 'GET',
      pattern: '/v1/agents',
      handler: ({ headers, query }) => {
        const parsed = parsePageQuery(query);
        if (!parsed.ok) return error(422, 'invalid_request', parsed.message);
        const { page, limit } = parsed.value;
        const { agents } = requireAccount(headers);
        return ok({ total: agents.length, page, agents: agents.slice(page * limit, (page + 1) * limit) });
      },
    },
    {
      method: 'GET',
      pattern: '/v1/agents/:id',
      handler: ({ headers, params }) => {
        const found = requireAccount(headers).agents.find((agent) => agent.id === params.id);
        return found ? ok(found) : error(404, 'not_found', 'No agent with this id');
      },
    },
  ];

  const server = new SimulatorServer({
    name: 'VoiceOS',
    routes,
    authenticate: (headers) =>
      accountOf(headers) === null ? error(401, 'unauthorized', 'Missing or invalid bearer token') : null,
    extraStats: () => ({ conversationListStatusFilters: Object.fromEntries(statusFilters) }),
    ...(options.latency ? { latency: options.latency } : {}),
  });

  const hooks = new AgentHookSender();
  const accountByToken = (token: string): VoiceOsAccountData => {
    const data = dataByToken.get(token);
    if (data === undefined) throw new Error('No VoiceOS simulator account has this token');
    return data;
  };
  const simulator = providerSimulatorOf(server);
  const closeServer = simulator.close.bind(simulator);
  return Object.assign(simulator, {
    close: async () => {
      await hooks.close();
      await closeServer();
    },
    agents: (token: string) => structuredClone(accountByToken(token).agents),
    setAgentWebhooks: (token: string, agentId: string, webhooks: readonly Webhook[]) => {
      const data = accountByToken(token);
      const agent = data.agents.find((each) => each.id === agentId);
      if (agent === undefined) throw new Error(`No agent ${agentId} in this VoiceOS simulator account`);
      agent.webhooks = structuredClone([...webhooks]);
      for (const conversation of data.conversations) {
        if (conversation.agent_id === agentId) conversation.agent.webhooks = structuredClone([...webhooks]);
      }
    },
    sendHookEvent: async (token: string, event: { type: AgentEvent; conversationId: string }) => {
      const conversation = dataByToken.get(token)?.conversations.find((each) => each.id === event.conversationId);
      if (conversation === undefined) return 0;
      return hooks.send(conversation.agent.webhooks, {
        event: event.type,
        conversation_id: conversation.id,
        status: conversation.status,
        occurred_at: new Date(now()).toISOString(),
      });
    },
    hookStats: () => hooks.stats(),
  });
}

function ok(body: unknown): SimResponse {
  return { status: 200, body };
}

function error(status: number, code: ErrorBody['error']['code'], message: string): SimResponse {
  const body: ErrorBody = { error: { code, message } };
  return { status, body };
}
