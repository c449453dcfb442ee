import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors.ts';
import { endWithBody } from './compression.ts';
import { errorBody } from './errorBody.ts';
import { persistedQueryProblem } from './persistedQueryShape.ts';
import { readRequestBody } from './readRequestBody.ts';
import { asksForSubscription, SUBSCRIPTION_OVER_HTTP_MESSAGE } from './subscriptionOverHttp.ts';

export interface GraphQLHttpHandlerOptions<C extends BaseContext> {
  server: ApolloServer<C>;
  /** Largest request body accepted, in bytes; larger ones get 413 before any parsing. */
  maxBodyBytes: number;
  /** Longest pause between two pieces of a body before the request is cut off with 408. */
  bodyIdleTimeoutMs: number;
  /** The parser's token limit (queryLimits.maxTokens), for the one look at a document before Apollo. */
  maxTokens: number;
}

/**
 * Bridges node:http to Apollo Server: authenticates from the headers, then reads the body with a
 * hard size limit and an idle timeout, parses JSON, and streams Apollo's answer back. Written out
 * (rather than the standalone server) so the gateway controls the order (no body is read for a
 * request it will refuse), the limits, the routes beside /graphql and the refused requests' bodies.
 */
export function createGraphQLHttpHandler<C extends BaseContext>(options: GraphQLHttpHandlerOptions<C>) {
  /**
   * `context` builds the request's context from what its headers gave (the body is not read yet),
   * at most once. A GraphQLError with `extensions.http.status` refuses the request with that
   * status, its body unread.
   */
  return async (req: IncomingMessage, res: ServerResponse, context: () => Promise<C>): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const method = (req.method ?? 'GET').toUpperCase();

    // GET and HEAD carry no body; Apollo serves them (the Sandbox landing page needs no key, a
    // query still goes through the same context and is refused there).
    let built: C | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      try {
        built = await context();
      } catch (error) {
        const status = httpStatusOf(error);
        if (status === undefined) throw error;
        // The error's own headers (a 429's Retry-After) go out with it; `http` itself is no extension a client reads.
        const { message, extensions } = error as GraphQLError;
        const { http, ...clientExtensions } = extensions;
        for (const [name, value] of (http as { headers?: Map<string, string> } | undefined)?.headers ?? []) res.setHeader(name, value);
        return refuseAndClose(req, res, status, { errors: [{ message, extensions: clientExtensions }] });
      }
    }

    let body: unknown = undefined;
    if (method === 'POST') {
      const read = await readRequestBody(req, { maxBytes: options.maxBodyBytes, idleTimeoutMs: options.bodyIdleTimeoutMs });
      if (read.kind === 'aborted') return void res.destroy();
      if (read.kind === 'tooLarge') {
        return refuseAndClose(req, res, 413, errorBody(ErrorCode.BAD_REQUEST, `Request body exceeds ${options.maxBodyBytes} bytes`));
      }
      if (read.kind === 'stalled') {
        return refuseAndClose(req, res, 408, errorBody(ErrorCode.BAD_REQUEST, `Request body stalled: no data for ${options.bodyIdleTimeoutMs} ms`));
      }
      const contentType = req.headers['content-type'] ?? '';
      if (/^application\/(graphql-response\+)?json/i.test(contentType) && read.text.length > 0) {
        try {
          body = JSON.parse(read.text);
        } catch {
          return sendJson(res, 400, errorBody(ErrorCode.BAD_REQUEST, 'Request body is not valid JSON'));
        }
      } else {
        body = read.text;
      }
    }

    // HEAD is answered as GET (Apollo serves GET and POST only); node:http sends no body for a HEAD.
    const served = method === 'HEAD' ? 'GET' : method;
    if ((served === 'POST' || served === 'GET') && asksForSubscription(served, body, url.search, options.maxTokens)) {
      return sendJson(res, 400, errorBody(ErrorCode.BAD_REQUEST, SUBSCRIPTION_OVER_HTTP_MESSAGE));
    }
    const persistedQuery = persistedQueryProblem(served, body, url.search);
    if (persistedQuery !== null) return sendJson(res, 400, errorBody(ErrorCode.BAD_REQUEST, persistedQuery));

    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await options.server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: served, headers, search: url.search, body },
      context: () => (built === undefined ? context() : Promise.resolve(built)),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      // Apollo's own refusals (CSRF, a body without a query, batching, a method it does not serve)
      // come before any plugin hears of the request: their codes are read from the answer.
      if (res.statusCode >= 400) rememberCodesOf(res, response.body.string);
      await endWithBody(req, res, response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

function httpStatusOf(error: unknown): number | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * How long a refused connection is still read (and discarded) after its answer. Closing a socket
 * with the client's unsent body still arriving makes the kernel reset the connection, and a reset
 * can make the client drop the answer it had not read yet; a short linger lets it arrive first.
 */
const LINGER_AFTER_REFUSAL_MS = 1_000;

/**
 * Answers with `Connection: close`, then ends the connection: the rest of the request body is
 * discarded unread, so a client that was refused or stalled cannot keep the socket (or the
 * gateway's memory) busy with it. Every refusal made before a body is read goes through here (a
 * plain answer closed the socket under the body still arriving, and the client lost the answer to
 * the reset).
 *
 * node:http ends a `Connection: close` answer's socket with `destroySoon`: destroyed once the
 * answer is flushed, the client's unsent body still arriving, so a reset. This socket's
 * `destroySoon` lingers instead. The header is needed: an answer that said keep-alive and then
 * closed made a keep-alive client (Node's default agent) send its next request on the dead
 * socket (a new-user trial: 82 of 100 requests after a 401 failed with ECONNRESET).
 */
export function refuseAndClose(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const { socket } = req;
  socket.destroySoon = () => {
    socket.end();
    req.resume();
    setTimeout(() => socket.destroy(), LINGER_AFTER_REFUSAL_MS).unref();
  };
  res.setHeader('connection', 'close');
  sendJson(res, status, body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const codes = errorCodesIn(body);
  if (codes.length > 0) answeredCodes.set(res, codes);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** The error codes of each answer the gateway wrote itself, before or beside Apollo. */
const answeredCodes = new WeakMap<ServerResponse, string[]>();

/**
 * The `extensions.code`s of the errors this response answered with, where the gateway wrote it
 * (`sendJson`: a refusal before Apollo, such as 401, 413 or a body that is not JSON); empty for
 * Apollo's answers, whose codes the operation plugin reads. For the access log's `errorCodes`.
 */
export function errorCodesAnswered(res: ServerResponse): string[] {
  return answeredCodes.get(res) ?? [];
}

function rememberCodesOf(res: ServerResponse, text: string): void {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return; // not a GraphQL answer: no codes to tell
  }
  const codes = errorCodesIn(body);
  if (codes.length > 0) answeredCodes.set(res, codes);
}

/** The codes of a GraphQL-shaped answer's `errors`, or of a webhook answer's one `error`. */
function errorCodesIn(body: unknown): string[] {
  const { errors, error } = (body ?? {}) as { errors?: unknown; error?: { code?: unknown } | null };
  if (typeof error?.code === 'string') return [error.code];
  if (!Array.isArray(errors)) return [];
  const codes = errors.map((error: { extensions?: { code?: unknown } } | null) => error?.extensions?.code).filter((code) => typeof code === 'string');
  return [...new Set(codes)];
}
