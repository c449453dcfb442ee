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
import type { ErrorBody } from './wireTypes.ts';
import { WebhookSender, type WebhookTarget } from '../shared/webhookSender.ts';

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
}

/** The API lives at the simulator's root. */
export interface VoiceOsSimulator extends ProviderSimulator {
  /** Sends the account's (by token) hook events to `target.url` from now on; null stops. */
  setWebhookTarget(token: string, target: WebhookTarget | null): void;
  /**
   * Sends one of the documented hook events (`conversation:started`, `conversation:ended`,
   * `message:generated`, ...) about a conversation now. VoiceOS's data is seeded, not live, so
   * tests and the demo trigger its events.
   */
  sendHookEvent(token: string, event: { type: string; conversationId: string; id?: string }): Promise<void>;
}

/**
 * The VoiceOS API as its document describes it (`GET /v1/conversations` with its filters and
 * paging), plus the get-by-id and agent endpoints the document implies, each account's data
 * seeded and isolated by its bearer token.
 */
export function createVoiceOsSimulator(options: VoiceOsSimulatorOptions = {}): VoiceOsSimulator {
  const accounts = options.accounts ?? DEMO_ACCOUNTS.voiceos;
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

  const webhooks = new WebhookSender(Date.now);
  let deliveries = 0;
  const simulator = providerSimulatorOf(server);
  const closeServer = simulator.close.bind(simulator);
  return Object.assign(simulator, {
    close: async () => {
      await webhooks.close();
      await closeServer();
    },
    setWebhookTarget: (token: string, target: WebhookTarget | null) => webhooks.setTarget(token, target),
    sendHookEvent: (token: string, event: { type: string; conversationId: string; id?: string }) => {
      const data = accountOf({ authorization: `Bearer ${token}` });
      const conversation = data?.conversations.find((each) => each.id === event.conversationId);
      return webhooks.sendNow(token, {
        id: event.id ?? `msg_voiceos_${(deliveries += 1)}`,
        type: event.type,
        conversationId: event.conversationId,
        status: conversation?.status ?? 'unknown',
        occurredAtMs: Date.now(),
      });
    },
  });
}

function ok(body: unknown): SimResponse {
  return { status: 200, body };
}

function error(status: number, code: ErrorBody['error']['code'], message: string): SimResponse {
  const body: ErrorBody = { error: { code, message } };
  return { status, body };
}
