import type { Dispatcher } from 'undici';
import type { Provider } from '../../domain/types.ts';
import type { ConnectorOptions } from '../credentials.ts';
import { UpstreamClient, type UpstreamObserver } from '../http.ts';
import type { ProviderResilience } from '../resilience/providerResilience.ts';

/**
 * What every connector of one provider shares, whatever the workspace: the keep-alive dispatcher
 * and the provider's resilience policy (breaker, concurrency cap fair per provider account, retry
 * policy). Both have one lifetime, made once per provider by `createProviderTransports`.
 */
export interface ProviderTransport {
  dispatcher: Dispatcher;
  /** Null for none: timeouts only (connector tests against a simulator). */
  resilience: ProviderResilience | null;
  /** Told of every request sent (metrics, traces, the access log); none when absent. */
  observer?: UpstreamObserver | undefined;
}

export interface UpstreamClientSpec {
  provider: Provider;
  /** Base URL of the provider API, e.g. `https://www.oration.ai/api/v2`. */
  baseUrl: string;
  /** Headers that authenticate the account; they also name it for the fair share (`upstreamAccountOf`). */
  authHeaders: Record<string, string>;
  transport: ProviderTransport;
  /** Whole-request timeout in milliseconds. @default 10000 */
  timeoutMs?: number | undefined;
}

/**
 * The one way a connector gets its upstream client: the resilience policy is an explicit part of
 * the transport it is given, never state found elsewhere. The client names its provider account
 * from `baseUrl` and `authHeaders` (`upstreamAccountOf`), so accounts share the provider's
 * concurrency fairly.
 */
export function createUpstreamClient(spec: UpstreamClientSpec): UpstreamClient {
  return UpstreamClient.create({
    provider: spec.provider,
    baseUrl: spec.baseUrl,
    authHeaders: spec.authHeaders,
    dispatcher: spec.transport.dispatcher,
    resilience: spec.transport.resilience,
    observer: spec.transport.observer,
    ...(spec.timeoutMs === undefined ? {} : { timeoutMs: spec.timeoutMs }),
  });
}

/** The client of an account that authenticates with `Authorization: Bearer <token>` (Trata, VoiceOS). */
export function createBearerTokenClient(provider: Provider, options: ConnectorOptions<{ token: string }>): UpstreamClient {
  return createUpstreamClient({
    provider,
    baseUrl: options.baseUrl,
    authHeaders: { authorization: `Bearer ${options.credentials.token}` },
    transport: options.transport,
    timeoutMs: options.timeoutMs,
  });
}
