import type { IncomingMessage, Server } from 'node:http';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { getOperationAST, GraphQLError, Kind, parse, SingleFieldSubscriptionsRule, specifiedRules, validate, type DocumentNode, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { ErrorCode, QueryTooComplexError } from '../errors.ts';
import { CONFLICTING_API_KEYS_MESSAGE, readApiKey, workspaceContext, type GatewayContext } from '../context.ts';
import type { FanoutService } from '../fanout/fanoutService.ts';
import { acceptAbsoluteForm } from '../http/requestTarget.ts';
import { errorBody } from '../http/errorBody.ts';
import type { UpgradeRefusal } from '../http/loopbackGuard.ts';
import { coercedVariables } from '../limits/coercedVariables.ts';
import { nameVariableRefusals } from '../limits/variableRefusals.ts';
import { dropSchemaSuggestions } from '../limits/schemaSuggestions.ts';
import { estimateQueryCost } from '../limits/estimateQueryCost.ts';
import { queryLimitGuards } from '../limits/queryLimitGuards.ts';
import type { QueryLimits } from '../limits/queryLimits.ts';
import { rateLimitMessage, type WorkspaceRateLimit } from '../limits/workspaceRateLimit.ts';
import type { LoaderHooks } from '../loaders.ts';
import { resolvers } from '../resolvers/index.ts';
import { loadTypeDefs } from '../schema.ts';
import type { LiveServices } from '../sync/liveServices.ts';
import type { Workspace, WorkspaceRegistry } from '../workspaces/workspaceRegistry.ts';
import { formatSubscriptionError, withCode } from './subscriptionErrors.ts';
import { SubscriptionRootRule } from './subscriptionRootRule.ts';

export interface SubscriptionServerOptions {
  httpServer: Server;
  registry: WorkspaceRegistry;
  fanout: FanoutService;
  live: LiveServices;
  limits: QueryLimits;
  /** Requests per workspace on this replica; each subscription started counts one. None when absent. */
  rateLimit?: WorkspaceRateLimit;
  /** Where each event's loaders report their batches (metrics), as HTTP operations' do. */
  loaderHooks?: LoaderHooks;
  /** Paths served, the same as queries'. @default ['/graphql', '/'] */
  paths?: readonly string[];
  /** Introspection off: refusals suggest none of the schema's names (`dropSchemaSuggestions`). */
  hideSuggestions?: boolean;
  /** Why not to take an upgrade at all, or null (demo mode on loopback: http/loopbackGuard.ts); a refused one gets a 403 saying why. */
  refusesUpgrade?: (req: IncomingMessage) => UpgradeRefusal | null;
}

/** graphql-ws's close codes for a bad request and a refused connection. */
const BAD_REQUEST_CLOSE = 4400;
const FORBIDDEN_CLOSE = 4403;

/**
 * GraphQL subscriptions over `graphql-ws`, on the HTTP server's own port and paths (an upgrade
 * request; plain POSTs still go to Apollo). A connection authenticates once, in
 * `connection_init`, with the same API keys as queries (a bad key closes it with 4403), and each
 * operation is checked against the same token, depth, alias, directive and cost limits (the cost of
 * resolving one event). Only
 * subscriptions are served here; queries and mutations stay on HTTP.
 */
export function attachSubscriptionServer(options: SubscriptionServerOptions): { close(): Promise<void> } {
  const paths = new Set(options.paths ?? ['/graphql', '/']);
  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as Record<string, never> });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const onUpgrade = (req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
    acceptAbsoluteForm(req); // an upgrade skips the server's 'request' listeners, where this is done for the rest
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!paths.has(path)) {
      socket.destroy();
      return;
    }
    const refusal = options.refusesUpgrade?.(req) ?? null;
    if (refusal) {
      // In GraphQL's error shape, as every refusal beside GraphQL (docs/errors.md).
      const body = JSON.stringify(errorBody(refusal.code, refusal.message));
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  options.httpServer.on('upgrade', onUpgrade);
  const workspaces = new WeakMap<object, Workspace>();
  // The same rules as HTTP operations (queryLimitGuards); Apollo's recursive-selections limit is
  // Apollo's own and not exported, so subscriptions rely on depth, aliases and cost for that.
  const guards = queryLimitGuards(options.limits);
  // graphql-js's one-root-field rule throws on a root `@include(if: $on)`: ours refuses it instead.
  const rules = [...specifiedRules.map((rule) => (rule === SingleFieldSubscriptionsRule ? SubscriptionRootRule : rule)), ...guards.validationRules];

  const disposable = useServer<Record<string, unknown> | undefined>(
    {
      schema,
      onConnect: (ctx) => {
        const reading = readApiKey(ctx.connectionParams);
        if (reading.kind === 'conflicting') {
          // Closed with the reason; the 4403 graphql-ws then sends for `false` finds it closing.
          ctx.extra.socket.close(BAD_REQUEST_CLOSE, CONFLICTING_API_KEYS_MESSAGE.slice(0, 120));
          return false;
        }
        const workspace = reading.kind === 'key' ? options.registry.authenticate(reading.key) : null;
        if (!workspace) {
          // graphql-ws closes with a bare "Forbidden" for `false`: say which of the two it is first.
          ctx.extra.socket.close(
            FORBIDDEN_CLOSE,
            reading.kind === 'none'
              ? 'Forbidden: no API key in connection_init payload (authorization: Bearer <key>, or x-api-key)'
              : 'Forbidden: unknown API key',
          );
          return false;
        }
        workspaces.set(ctx.extra, workspace);
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const workspace = workspaces.get(ctx.extra);
        if (!workspace) return [new GraphQLError('Not authenticated', { extensions: { code: ErrorCode.UNAUTHENTICATED } })];
        const overLimit = await options.rateLimit?.admit(workspace.id, 'subscription');
        if (overLimit) {
          return [new GraphQLError(rateLimitMessage(overLimit), { extensions: { code: ErrorCode.RATE_LIMITED, ...overLimit } })];
        }
        let document;
        try {
          document = parse(payload.query, guards.parseOptions);
        } catch (error) {
          return [
            error instanceof GraphQLError
              ? withCode(error, ErrorCode.GRAPHQL_PARSE_FAILED)
              : new GraphQLError('Could not parse the operation', { extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } }),
          ];
        }
        const errors = validate(schema, document, rules);
        if (options.hideSuggestions) dropSchemaSuggestions(errors);
        if (errors.length > 0) return errors.map((error) => withCode(error, ErrorCode.GRAPHQL_VALIDATION_FAILED));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [operationResolutionFailure(document, payload.operationName)];
        if (operation.operation !== 'subscription') {
          return [new GraphQLError('Only subscriptions are served over WebSocket; send queries and mutations as HTTP POST', { extensions: { code: ErrorCode.BAD_REQUEST } })];
        }
        // Refused here, so the subscriber gets graphql-ws's `error` message (BAD_USER_INPUT), not a
        // `next` with errors and a `complete`; and the cost below reads the values as they will run.
        const variables = coercedVariables(schema, operation, payload.variables);
        if (variables.errors) {
          nameVariableRefusals(schema, operation, payload.variables, variables.errors);
          if (options.hideSuggestions) dropSchemaSuggestions(variables.errors);
          return [...variables.errors];
        }
        // Each event resolves the selection again (an agent's name may ask a provider), so one
        // event's work is held to the query cost limit, as an HTTP operation is.
        const cost = estimateQueryCost({ schema, document, operation, variables: variables.coerced });
        if (cost > options.limits.maxCost) {
          return [
            new QueryTooComplexError(
              `Subscription cost ${cost} per event exceeds the limit of ${options.limits.maxCost}; select fewer nested objects`,
              { limit: 'cost', max: options.limits.maxCost, actual: cost },
            ),
          ];
        }
        const contextValue: GatewayContext = workspaceContext(workspace, options.fanout, options.loaderHooks ?? {}, options.live);
        const args: ExecutionArgs = {
          schema,
          document,
          contextValue,
          variableValues: payload.variables ?? null,
          operationName: payload.operationName ?? null,
        };
        return args;
      },
      // Every error a subscriber sees is formatted as over HTTP: a code always, no internals.
      onError: (_ctx, _id, _payload, errors) => errors.map(formatSubscriptionError),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map(formatSubscriptionError) } : undefined,
    },
    wss,
  );

  return {
    close: async () => {
      options.httpServer.off('upgrade', onUpgrade);
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Apollo's refusal over HTTP when `operationName` picks no operation of the document, word for word. */
function operationResolutionFailure(document: DocumentNode, operationName: string | null | undefined): GraphQLError {
  const message = operationName
    ? `Unknown operation named "${operationName}".`
    : document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION)
      ? 'Must provide operation name if query contains multiple operations.'
      : 'Must provide an operation.';
  return new GraphQLError(message, { extensions: { code: ErrorCode.OPERATION_RESOLUTION_FAILURE } });
}
