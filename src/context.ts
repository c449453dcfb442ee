import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import { RateLimitedError, UnauthenticatedError } from './errors.ts';
import type { FanoutService } from './fanout/fanoutService.ts';
import type { WorkspaceRateLimit } from './limits/workspaceRateLimit.ts';
import { createLoaders, type LoaderHooks, type Loaders } from './loaders.ts';
import type { RequestScope } from './observability/requestScope.ts';
import type { UpstreamObserver } from './providers/http.ts';
import type { LiveServices } from './sync/liveServices.ts';
import type { Workspace, WorkspaceRegistry } from './workspaces/workspaceRegistry.ts';

/** Everything a resolver may use, built fresh for each request. */
export interface GatewayContext {
  workspace: Workspace;
  loaders: Loaders;
  /** Durable conversation batches: create, read, cancel (scoped to `workspace`). */
  fanout: FanoutService;
  /**
   * Errors of providers that failed while others answered (partial data). The
   * `partialErrorsPlugin` appends them to the response's `errors`.
   */
  partialErrors: GraphQLError[];
  /** The synced store, its feed and webhooks; absent in gateways built without them. */
  live?: LiveServices;
  /** Where `loaders` report their batches (metrics); a subscription's fresh loaders for each event report there too. */
  loaderHooks: LoaderHooks;
  /** What the access line of this HTTP request gathers (operation, outcome); absent without observability and on WebSockets. */
  requestScope?: RequestScope;
}

/** How one HTTP request is observed: its scope, and the observer its upstream requests report to. */
export interface RequestObservation {
  scope: RequestScope;
  upstream: UpstreamObserver;
}

/**
 * The API key a client sends. Both the HTTP headers of a request and the `connection_init` payload
 * of a WebSocket are read here, by the same rules: `authorization: Bearer <key>` (`Authorization`
 * too: a payload is the client's own JSON, while node lower-cases header names), `x-api-key: <key>`,
 * and in a payload `apiKey` (never a header name: node would have lower-cased it). Two of them with
 * different keys is `conflicting`: picking one silently could act as a workspace the client did not
 * mean (a proxy adding one header, a client the other).
 */
export type ApiKeyReading = { kind: 'key'; key: string } | { kind: 'none' } | { kind: 'conflicting' };

export const CONFLICTING_API_KEYS_MESSAGE = 'Two different API keys were sent (Authorization: Bearer and x-api-key, or one header twice); send one key';

/** Where a key is read from: a request's headers, or a `connection_init` payload (absent when the client sent none). */
export type ApiKeySource = IncomingHttpHeaders | Readonly<Record<string, unknown>> | undefined;

export function readApiKey(source: ApiKeySource): ApiKeyReading {
  if (!source) return { kind: 'none' };
  const keys: string[] = [];
  const authorization = source.authorization ?? source.Authorization;
  if (typeof authorization === 'string') {
    // A malformed Authorization is refused (401) rather than falling back to x-api-key.
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (bearer === undefined) return { kind: 'none' };
    keys.push(bearer);
  }
  for (const key of [source['x-api-key'], source.apiKey]) if (typeof key === 'string' && key.length > 0) keys.push(key);
  const [first] = keys;
  if (first === undefined) return { kind: 'none' };
  return keys.every((key) => key === first) ? { kind: 'key', key: first } : { kind: 'conflicting' };
}

/**
 * The API key of an HTTP request. node:http keeps only the first of several `Authorization`
 * headers and joins repeated `x-api-key` headers with ", ", so each header is read as sent: one
 * sent twice with different keys is `conflicting` too (the first silently won).
 */
export function readRequestApiKey(req: Pick<IncomingMessage, 'headersDistinct'>): ApiKeyReading {
  const authorization = [...new Set(req.headersDistinct.authorization ?? [])];
  const apiKey = [...new Set(req.headersDistinct['x-api-key'] ?? [])];
  if (authorization.length > 1 || apiKey.length > 1) return { kind: 'conflicting' };
  return readApiKey({ authorization: authorization[0], 'x-api-key': apiKey[0] });
}

/**
 * Builds a request's context from its API key, read once by the router (`readApiKey`): no key,
 * an unknown one, or two different ones (refused before this) is UNAUTHENTICATED; a workspace
 * over its request limit (`rateLimit`, when set) is RATE_LIMITED. Observed, the
 * request reads its providers through connectors that report to its own observer.
 */
export function createContextFactory(
  registry: WorkspaceRegistry,
  fanout: FanoutService,
  hooks: LoaderHooks = {},
  live?: LiveServices,
  rateLimit?: WorkspaceRateLimit,
) {
  return async (apiKey: ApiKeyReading, observation?: RequestObservation): Promise<GatewayContext> => {
    const workspace = apiKey.kind === 'key' ? registry.authenticate(apiKey.key) : null;
    if (!workspace) throw new UnauthenticatedError();
    const refusal = await rateLimit?.admit(workspace.id, 'graphql');
    if (refusal) {
      if (observation) observation.scope.workspace = workspace.id;
      throw new RateLimitedError(refusal);
    }
    if (!observation) return workspaceContext(workspace, fanout, hooks, live);
    // Known from here on, even when the request is refused before Apollo (a body that is not JSON).
    observation.scope.workspace = workspace.id;
    // The request's own connectors, whose upstream requests count toward its access line.
    return { ...workspaceContext(workspace.observedBy(observation.upstream), fanout, hooks, live), requestScope: observation.scope };
  };
}

/**
 * The context of one operation of an authenticated workspace, over HTTP or WebSocket: the same
 * loaders with the same hooks either way, so subscriptions' provider reads show in the metrics.
 */
export function workspaceContext(workspace: Workspace, fanout: FanoutService, hooks: LoaderHooks, live?: LiveServices): GatewayContext {
  return { workspace, loaders: createLoaders(workspace, fanout, hooks), fanout, partialErrors: [], ...(live && { live }), loaderHooks: hooks };
}
