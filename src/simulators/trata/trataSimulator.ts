import type { IncomingMessage } from 'node:http';
import { DEMO_ACCOUNTS, DEMO_ANCHOR } from '../demoAccounts.ts';
import {
  providerSimulatorOf,
  SimulatorServer,
  type ProviderSimulator,
  type SimRequest,
  type SimResponse,
} from '../shared/simulatorServer.ts';
import { createConversationRequestSchema } from './createConversationRequest.ts';
import { microsFromDate, parseTimestampMicros } from './naiveTimestamp.ts';
import { seedTrataAccount, type TrataSimulatorAccount } from './seedTrataAccount.ts';
import { TrataAccountStore, type ConversationQuery, type PageRequest } from './trataAccountStore.ts';
import type { TrataConversationRecord } from './trataRecords.ts';

/**
 * A simulator of Trata's API (`https://api.trata.ai`), rooted at its own URL:
 *
 *   POST /v1/conversations            stores a conversation (the document's endpoint and shapes)
 *   GET  /v1/conversations            list: page, limit, agentId, prospectId, sourceType,
 *                                     createdAfter (inclusive), createdBefore (exclusive), ids
 *   GET  /v1/conversations/:id
 *   GET  /v1/agents, /v1/agents/:id   list: page, limit, ids
 *   GET  /v1/prospects, /v1/prospects/:id
 *
 * Only the POST is documented; the reads and their shapes are the assumptions written down in
 * `src/providers/trata/README.md`. Errors answer FastAPI style, `{ "detail": … }` (assumed;
 * the document shows no error), with 422 and a list of problems for invalid parameters.
 */

export interface TrataSimulatorOptions {
  /** @default DEMO_ACCOUNTS.trata */
  accounts?: readonly TrataSimulatorAccount[];
  latency?: { minMs: number; maxMs: number };
  /** Conversations per account, the documented one included. @default 120 */
  conversationsPerAccount?: number;
  /** Clock for records created over the API. @default () => new Date() */
  now?: () => Date;
}

/** The API lives at the simulator's root. */
export type TrataSimulator = ProviderSimulator;

/** Largest page and largest `ids` batch the simulator accepts (assumed). */
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;

export function createTrataSimulator(options: TrataSimulatorOptions = {}): TrataSimulator {
  const accounts = options.accounts ?? DEMO_ACCOUNTS.trata;
  const conversations = options.conversationsPerAccount ?? 120;
  const now = options.now ?? (() => new Date());
  const stores = new Map<string, TrataAccountStore>(
    accounts.map((account) => [
      account.token,
      new TrataAccountStore(seedTrataAccount(account, { conversations, anchor: DEMO_ANCHOR }), account.seed),
    ]),
  );

  const storeOf = (request: SimRequest): TrataAccountStore => {
    const store = stores.get(bearerToken(request.headers) ?? '');
    // `authenticate` has already refused unknown tokens.
    if (!store) throw new Error('unauthenticated request reached a route');
    return store;
  };

  const server = new SimulatorServer({
    name: 'trata',
    latency: options.latency,
    authenticate: (headers) =>
      stores.has(bearerToken(headers) ?? '') ? null : { status: 401, body: { detail: 'Not authenticated' } },
    routes: [
      {
        method: 'POST',
        pattern: '/v1/conversations',
        handler: (request) => {
          const parsed = createConversationRequestSchema.safeParse(request.body);
          if (!parsed.success) {
            return unprocessable(parsed.error.issues.map((issue) => ({ loc: ['body', ...issue.path.map(String)], msg: issue.message })));
          }
          const store = storeOf(request);
          if (!store.getAgent(parsed.data.agentId)) return notFound('Agent');
          const record = store.createConversation(parsed.data, microsFromDate(now()));
          return { status: 200, body: documentedResponse(record) };
        },
      },
      {
        method: 'GET',
        pattern: '/v1/conversations',
        handler: (request) => {
          const errors: QueryError[] = [];
          const { page, ids } = listParameters(request.query, errors);
          const filter = conversationFilter(request.query, errors);
          if (errors.length > 0) return unprocessable(errors);
          return listResponse(storeOf(request).listConversations({ ...filter, ids }, page), page);
        },
      },
      {
        method: 'GET',
        pattern: '/v1/conversations/:id',
        handler: (request) => found(storeOf(request).getConversation(request.params.id ?? ''), 'Conversation'),
      },
      {
        method: 'GET',
        pattern: '/v1/agents',
        handler: (request) => {
          const errors: QueryError[] = [];
          const { page, ids } = listParameters(request.query, errors);
          if (errors.length > 0) return unprocessable(errors);
          return listResponse(storeOf(request).listAgents(ids, page), page);
        },
      },
      {
        method: 'GET',
        pattern: '/v1/agents/:id',
        handler: (request) => found(storeOf(request).getAgent(request.params.id ?? ''), 'Agent'),
      },
      {
        method: 'GET',
        pattern: '/v1/prospects',
        handler: (request) => {
          const errors: QueryError[] = [];
          const { page, ids } = listParameters(request.query, errors);
          if (errors.length > 0) return unprocessable(errors);
          return listResponse(storeOf(request).listProspects(ids, page), page);
        },
      },
      {
        method: 'GET',
        pattern: '/v1/prospects/:id',
        handler: (request) => found(storeOf(request).getProspect(request.params.id ?? ''), 'Prospect'),
      },
    ],
  });

  return providerSimulatorOf(server);
}

/**
 * The create response answers exactly the document's fields in its order: no `id` (which only
 * list and get answers carry) and no `adminComments` (which the documented response lacks).
 */
function documentedResponse(record: TrataConversationRecord): Record<string, unknown> {
  const { id: _id, adminComments: _adminComments, ...documented } = record;
  return documented;
}

interface QueryError {
  loc: string[];
  msg: string;
}

/** `page` (1-based, default 1), `limit` (1..100, default 20) and `ids`, common to every list. */
function listParameters(query: URLSearchParams, errors: QueryError[]): { page: PageRequest; ids: string[] | undefined } {
  const page = integerParameter(query, 'page', 1, 1, Number.MAX_SAFE_INTEGER, errors);
  const limit = integerParameter(query, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT, errors);
  return { page: { page, limit }, ids: idsParameter(query, errors) };
}

function conversationFilter(query: URLSearchParams, errors: QueryError[]): ConversationQuery {
  const filter: ConversationQuery = {};
  for (const name of ['agentId', 'prospectId', 'sourceType'] as const) {
    const value = query.get(name);
    if (value !== null && value !== '') filter[name] = value;
  }
  for (const name of ['createdAfter', 'createdBefore'] as const) {
    const value = query.get(name);
    if (value === null || value === '') continue;
    const micros = parseTimestampMicros(value);
    if (micros === null) errors.push({ loc: ['query', name], msg: 'invalid datetime' });
    else filter[name] = micros;
  }
  return filter;
}

/** `ids=a,b,c`: a batch get of at most 100 records; absent means no id filter. */
function idsParameter(query: URLSearchParams, errors: QueryError[]): string[] | undefined {
  const value = query.get('ids');
  if (value === null) return undefined;
  const ids = value.split(',').map((id) => id.trim()).filter(Boolean);
  if (ids.length > MAX_LIMIT) errors.push({ loc: ['query', 'ids'], msg: `at most ${MAX_LIMIT} ids` });
  return ids;
}

function integerParameter(
  query: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
  errors: QueryError[],
): number {
  const value = query.get(name);
  if (value === null) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    errors.push({ loc: ['query', name], msg: `must be an integer from ${min} to ${max}` });
    return fallback;
  }
  return number;
}

function listResponse<T>(result: { data: T[]; total: number }, page: PageRequest): SimResponse {
  return { status: 200, body: { data: result.data, total: result.total, page: page.page, limit: page.limit } };
}

function found(record: object | null, kind: string): SimResponse {
  return record === null ? notFound(kind) : { status: 200, body: record };
}

function notFound(kind: string): SimResponse {
  return { status: 404, body: { detail: `${kind} not found` } };
}

function unprocessable(errors: QueryError[]): SimResponse {
  return { status: 422, body: { detail: errors.map((error) => ({ ...error, type: 'value_error' })) } };
}

function bearerToken(headers: IncomingMessage['headers']): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1] ?? null;
}
