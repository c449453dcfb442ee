import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction } from '@apollo/server';

export interface GraphQLHttpHandlerOptions<C extends BaseContext> {
  server: ApolloServer<C>;
  context: ContextFunction<[IncomingMessage], C>;
  /** Largest request body accepted, in bytes; larger ones get 413 before any parsing. */
  maxBodyBytes: number;
}

/**
 * Bridges node:http to Apollo Server: reads the body with a hard size limit, parses JSON, and
 * streams Apollo's answer back. Written out (rather than the standalone server) so the gateway
 * controls the body limit, the routes beside /graphql, and the error bodies of refused requests.
 */
export function createGraphQLHttpHandler<C extends BaseContext>(options: GraphQLHttpHandlerOptions<C>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    let body: unknown = undefined;
    if (req.method === 'POST') {
      const raw = await readBodyWithLimit(req, options.maxBodyBytes);
      if (raw === null) {
        return sendJson(res, 413, {
          errors: [{ message: `Request body exceeds ${options.maxBodyBytes} bytes`, extensions: { code: 'BAD_REQUEST' } }],
        });
      }
      const contentType = req.headers['content-type'] ?? '';
      if (/^application\/(graphql-response\+)?json/i.test(contentType) && raw.length > 0) {
        try {
          body = JSON.parse(raw);
        } catch {
          return sendJson(res, 400, {
            errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
          });
        }
      } else {
        body = raw;
      }
    }

    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await options.server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
      context: () => options.context(req),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

/** Resolves to the body, or null as soon as it grows past the limit (the rest is not buffered). */
async function readBodyWithLimit(req: IncomingMessage, limit: number): Promise<string | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
