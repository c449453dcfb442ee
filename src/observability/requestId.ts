import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

/** The header a request id is read from and always answered in. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What a caller's id may look like to be kept: short, and only characters that cannot break a
 * log line or a header (a proxy's UUID, a W3C trace id, `req-42`).
 */
const ACCEPTED = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/**
 * The caller's `x-request-id` when it has one that fits, so a proxy's or a client's id follows
 * the request through our log line; a fresh UUID otherwise. Anything else is replaced rather than
 * cleaned, since a half-kept id would match nothing on the caller's side.
 */
export function requestIdFrom(headers: IncomingHttpHeaders): string {
  const given = headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && ACCEPTED.test(given) ? given : randomUUID();
}

/**
 * The request id a response was given (the access log's observer sets it before any route runs),
 * or null without observability: so a route's own log lines (an export's end) join its access line.
 */
export function requestIdAnswered(res: ServerResponse): string | null {
  const id = res.getHeader(REQUEST_ID_HEADER);
  return typeof id === 'string' ? id : null;
}
