import { Agent as UndiciAgent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import type { Provider } from '../domain/types.ts';
import {
  ProviderBadResponseError,
  ProviderError,
  ProviderRateLimitedError,
  ProviderRejectedError,
  ProviderTimeoutError,
  ProviderUnauthorizedError,
  ProviderUnavailableError,
} from './errors.ts';
import { keepFreeFormDigits, type FreeFormSites } from './kit/boundedJson.ts';
import { parseRateLimitHeaders } from './rateLimitHeaders.ts';
import type { ProviderResilience } from './resilience/providerResilience.ts';
import { SendWindowMissedError } from './resilience/sendWindowMissedError.ts';
import { upstreamAccountOf } from './resilience/upstreamAccount.ts';
import type { RateLimitInfo } from './connector.ts';

export interface UpstreamClientOptions {
  provider: Provider;
  /** Base URL of the provider API, e.g. `https://www.oration.ai/api/v2`. */
  baseUrl: string;
  /** Headers sent on every request (the credentials). Never logged, never put in an error. */
  authHeaders: Record<string, string>;
  /** Shared per provider so keep-alive connections are reused across workspaces and requests. */
  dispatcher: Dispatcher;
  /**
   * The provider's shared resilience policy (retries, circuit breaker, concurrency cap fair per
   * account), or null for none (timeouts only). Passed in, never looked up: the client has no
   * hidden state besides what it is given.
   */
  resilience: ProviderResilience | null;
  /** Whole-request timeout in milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Told of every request handed to the network and how it ended (metrics, traces, the access log). */
  observer?: UpstreamObserver | undefined;
}

/** One request as the observer sees it: no URL, no query, no body (they may carry ids or secrets). */
export interface UpstreamRequestStart {
  provider: Provider;
  /** The logical endpoint (`conversations.list`): a bounded set, fit for a metric label. */
  endpoint: string;
  method: 'GET' | 'POST';
}

/** How a request ended: the HTTP status when one came back, else why none did. */
export type UpstreamRequestEnd = { status: number } | { status: null; failure: 'timeout' | 'network' };

/**
 * Called when a request is handed to the network (after any wait for a slot, so a request the
 * resilience layer refused is not one); the function it returns is called once when it ends. One
 * call per attempt: retries are requests too.
 */
export type UpstreamObserver = (request: UpstreamRequestStart) => (end: UpstreamRequestEnd) => void;

export interface UpstreamRequest<S extends z.ZodType> {
  method: 'GET' | 'POST';
  /** Path below the base URL, starting with `/`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** zod schema of a successful body; the response is parsed before anything uses it. */
  schema: S;
  /** Logical endpoint name for errors and metrics, e.g. `conversations.list`. */
  endpoint: string;
  /** Extra status codes treated as success with a null body (e.g. 404 on a get by id). */
  nullOn?: readonly number[];
  /**
   * Epoch milliseconds after which the request must not be handed to the network any more; it
   * fails with `SendWindowMissedError` (nothing sent) instead. Checked after any wait for an
   * upstream slot, right before sending. The fan-out bounds when a create can still land with it.
   */
  notSentAfter?: number;
  /**
   * Where the body holds the provider's free-form JSON (metadata): numbers there that a double
   * cannot hold keep their digits, as strings (`keepFreeFormDigits`).
   */
  freeFormJson?: FreeFormSites;
}

export interface UpstreamResponse<T> {
  status: number;
  data: T;
  rateLimit: RateLimitInfo | null;
}

/** Creates the keep-alive dispatcher one provider's connectors share. */
export function createProviderDispatcher(options: { connectTimeoutMs?: number; connections?: number } = {}): Dispatcher {
  return new UndiciAgent({
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    connect: { timeout: options.connectTimeoutMs ?? 5_000 },
    connections: options.connections ?? 64,
  });
}

/**
 * One provider API as seen by a connector: builds URLs, adds credentials, enforces the timeout on
 * every attempt, parses the body with zod and turns every failure into a typed `ProviderError`.
 * Retries, the circuit breaker and the concurrency cap come from the provider's
 * `ProviderResilience` (see `src/providers/resilience/`), given explicitly. Connectors build it
 * with `createUpstreamClient` (src/providers/kit/createUpstreamClient.ts).
 */
export class UpstreamClient {
  readonly provider: Provider;
  readonly #options: UpstreamClientOptions;
  /** The provider account these credentials name, for the fair share of the provider's concurrency. */
  readonly #account: string;

  /** `account` is given only by `reportingTo`, which already holds the one these options name. */
  private constructor(options: UpstreamClientOptions, account: string) {
    this.provider = options.provider;
    this.#options = options;
    this.#account = account;
  }

  static create(options: UpstreamClientOptions): UpstreamClient {
    return new UpstreamClient(options, upstreamAccountOf(options.baseUrl, options.authHeaders));
  }

  /**
   * The same account's client, its requests told to `observer` instead: what one GraphQL request
   * reads through, so its access line counts the requests sent for it. Shares the account, the
   * credentials and the transport; nothing is derived again.
   */
  reportingTo(observer: UpstreamObserver): UpstreamClient {
    return new UpstreamClient({ ...this.#options, observer }, this.#account);
  }

  /**
   * Sends one request. Through the provider's shared resilience policy when the client was given
   * one: GETs are reads and may be retried; a POST is sent at most once, since a create that timed
   * out may still have happened.
   */
  async send<S extends z.ZodType>(req: UpstreamRequest<S>): Promise<UpstreamResponse<z.output<S> | null>> {
    const { resilience } = this.#options;
    if (!resilience) return this.#sendOnce(req);
    const call = { endpoint: req.endpoint, idempotent: req.method === 'GET', account: this.#account };
    return resilience.execute(call, () => this.#sendOnce(req));
  }

  async #sendOnce<S extends z.ZodType>(req: UpstreamRequest<S>): Promise<UpstreamResponse<z.output<S> | null>> {
    const { provider } = this;
    const url = new URL(this.#options.baseUrl.replace(/\/+$/, '') + req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const base = { provider, endpoint: req.endpoint };
    if (req.notSentAfter !== undefined && Date.now() > req.notSentAfter) {
      throw new SendWindowMissedError(`${provider} ${req.endpoint} was held back past its send window and not sent`, base);
    }
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    const ended = this.#options.observer?.({ provider, endpoint: req.endpoint, method: req.method });
    // One timer for the whole exchange (headers and body), cleared as soon as it ends. Not
    // `AbortSignal.timeout`, which cannot be cleared: each request left its timer pending, with a
    // weak reference and a finalization entry, until a full collection found the signal unreachable
    // or the timeout passed: 1,199 pending timers in a gateway under load, 56 with this one (heap
    // snapshots at page 50, concurrency 10; issue 9).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs).unref();
    const { signal } = deadline;
    let statusCode: number;
    let rateLimit: RateLimitInfo | null;
    let text: string;
    try {
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, {
          method: req.method,
          dispatcher: this.#options.dispatcher,
          signal,
          headers: {
            accept: 'application/json',
            ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...this.#options.authHeaders,
          },
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
        });
      } catch (error) {
        throw failed(transportError(error, signal, base, timeoutMs), ended);
      }

      statusCode = response.statusCode;
      rateLimit = parseRateLimitHeaders(response.headers);
      try {
        text = await response.body.text();
      } catch (error) {
        throw failed(transportError(error, signal, base, timeoutMs), ended);
      }
    } finally {
      clearTimeout(timer);
    }
    ended?.({ status: statusCode });

    if (req.nullOn?.includes(statusCode)) return { status: statusCode, data: null, rateLimit };
    if (statusCode === 429) {
      throw new ProviderRateLimitedError(`${provider} rate limited ${req.endpoint}`, {
        ...base,
        httpStatus: statusCode,
        ...retryAfter(rateLimit),
      });
    }
    if (statusCode === 401 || statusCode === 403) {
      throw new ProviderUnauthorizedError(`${provider} refused the workspace's credentials on ${req.endpoint}`, {
        ...base,
        httpStatus: statusCode,
      });
    }
    if (statusCode >= 500) {
      throw new ProviderUnavailableError(`${provider} answered HTTP ${statusCode} on ${req.endpoint}`, {
        ...base,
        httpStatus: statusCode,
        ...retryAfter(rateLimit),
      });
    }
    if (statusCode >= 400) {
      throw new ProviderRejectedError(`${provider} rejected ${req.endpoint} with HTTP ${statusCode}`, {
        ...base,
        httpStatus: statusCode,
      });
    }

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ProviderBadResponseError(`${provider} sent a body that is not JSON on ${req.endpoint}`, {
        ...base,
        httpStatus: statusCode,
      });
    }
    if (req.freeFormJson) json = keepFreeFormDigits(text, json, req.freeFormJson);
    const parsed = req.schema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
      throw new ProviderBadResponseError(
        `${provider} sent a response to ${req.endpoint} that breaks its documented shape at ${issues.slice(0, 5).join(', ')}`,
        { ...base, httpStatus: statusCode, issues },
      );
    }
    return { status: statusCode, data: parsed.data, rateLimit };
  }

  /** `send` for endpoints that never answer with a null body. */
  async sendOk<S extends z.ZodType>(req: Omit<UpstreamRequest<S>, 'nullOn'>): Promise<UpstreamResponse<z.output<S>>> {
    const response = await this.send(req);
    return response as UpstreamResponse<z.output<S>>;
  }
}

/** Reports a request that got no HTTP answer to its observer, and hands the error back to throw. */
function failed(error: Error, ended: ((end: UpstreamRequestEnd) => void) | undefined): Error {
  ended?.({ status: null, failure: error instanceof ProviderTimeoutError ? 'timeout' : 'network' });
  return error;
}

function retryAfter(rateLimit: RateLimitInfo | null): { retryAfterMs?: number } {
  const ms = rateLimit?.retryAfterMs ?? rateLimit?.resetMs;
  return ms === undefined ? {} : { retryAfterMs: ms };
}

function transportError(
  error: unknown,
  signal: AbortSignal,
  base: { provider: Provider; endpoint: string },
  timeoutMs: number,
): Error {
  // Already typed by the resilience layer (circuit open, queue full): keep it, so callers can
  // tell "never sent" from "sent, outcome unknown".
  if (error instanceof ProviderError) return error;
  const timedOut =
    signal.aborted ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError;
  if (timedOut) {
    return new ProviderTimeoutError(`${base.provider} did not answer ${base.endpoint} within ${timeoutMs} ms`, base);
  }
  const reason = error instanceof Error && 'code' in error ? String(error.code) : 'connection failed';
  return new ProviderUnavailableError(`${base.provider} could not be reached on ${base.endpoint} (${reason})`, {
    ...base,
    cause: error,
  });
}
