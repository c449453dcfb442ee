import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Answers an OPTIONS request that is not a CORS preflight (those are answered in cors.ts, for
 * every path) the way RFC 9110 (9.3.7) describes: 204 with `Allow` naming the methods this
 * resource serves. Each route asks with its own methods, so an unknown path stays a 404 and
 * `/graphiql` does not claim POST. Returns false for any other method.
 */
export function answeredOptions(req: IncomingMessage, res: ServerResponse, methods: readonly string[]): boolean {
  if ((req.method ?? '').toUpperCase() !== 'OPTIONS') return false;
  res.writeHead(204, { allow: allowHeader(methods) }).end();
  return true;
}

/** A route's `Allow`, on its OPTIONS answer and its 405s alike: its methods, and OPTIONS, which every route answers. */
export function allowHeader(methods: readonly string[]): string {
  return [...methods, 'OPTIONS'].join(', ');
}
