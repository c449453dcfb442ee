import type { IncomingMessage, ServerResponse } from 'node:http';
import { WATERMARK_HEADER } from '../analytics/exports/watermarkHeader.ts';
import { ErrorCode } from '../errors.ts';
import { errorBody } from './errorBody.ts';
import { sendJson } from './nodeHttpHandler.ts';

/**
 * Cross-origin access for browsers on other origins (a frontend on its own host, the hosted
 * Apollo Sandbox), from an allow-list (`SWITCHBOARD_CORS_ORIGINS`).
 *
 * Credentials: the gateway authenticates by a header (`Authorization` or `x-api-key`) that the
 * calling page sets itself, never by cookies, so `Access-Control-Allow-Credentials` is never sent:
 * a browser attaches no cookie or HTTP auth of its own to a cross-origin call, and another site
 * cannot borrow anything ambient. `*` in the list is therefore allowed; it still needs a key.
 *
 * CSRF prevention (Apollo's) stays on and is independent: a request a browser can send without
 * a preflight is refused whatever its origin, so every cross-origin call goes through the
 * preflight this module answers.
 */

/** A list entry: `*`, an exact origin, or an origin with any port (`http://localhost:*`). */
type OriginRule = { kind: 'any' } | { kind: 'exact'; origin: string } | { kind: 'anyPort'; protocol: string; hostname: string };

/** Demo mode, when SWITCHBOARD_CORS_ORIGINS is unset: this machine's pages on any port, and the hosted Sandbox. */
export const DEMO_CORS_ORIGINS: readonly string[] = [
  'http://localhost:*',
  'http://127.0.0.1:*',
  'http://[::1]:*',
  'https://studio.apollographql.com',
];

/** Methods the API serves: queries over GET and POST, mutations over POST only. */
const ALLOWED_METHODS = ['GET', 'POST', 'OPTIONS'];
/** Request headers a cross-origin page may send (lower case); others are left out of the preflight's answer. */
const ALLOWED_HEADERS = [
  'content-type',
  'authorization',
  'x-api-key',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'apollographql-client-name',
  'apollographql-client-version',
  'x-request-id',
  'traceparent',
  'tracestate',
];
/**
 * Response headers a cross-origin page may read, beside the CORS-safelisted ones: an export's
 * watermark too, which a page needs for its next `updatedSince` (bi.md).
 */
const EXPOSED_HEADERS = ['x-request-id', 'retry-after', WATERMARK_HEADER];
/** How long a browser may reuse a preflight's answer (seconds). */
const PREFLIGHT_MAX_AGE_S = 600;

const ORIGIN_FORMAT = 'an origin such as https://app.example.com (scheme, host and port, no path), http://localhost:* for any port, or *';

/**
 * Parses a comma-separated allow-list. Returns the entries normalised, or the first bad entry
 * with why (the values are origins, never secrets, so the message may quote them).
 */
export function parseCorsOrigins(text: string): { origins: string[] } | { error: string } {
  const origins: string[] = [];
  for (const entry of text.split(',').map((part) => part.trim()).filter((part) => part.length > 0)) {
    const rule = parseRule(entry);
    if (!rule) return { error: `"${entry}" is not ${ORIGIN_FORMAT}` };
    origins.push(rule.kind === 'exact' ? rule.origin : entry.toLowerCase());
  }
  return { origins };
}

function parseRule(entry: string): OriginRule | null {
  if (entry === '*') return { kind: 'any' };
  const anyPort = /^(https?):\/\/([^/:]+|\[[0-9a-f:]+\]):\*$/i.exec(entry);
  if (anyPort) return { kind: 'anyPort', protocol: `${anyPort[1]!.toLowerCase()}:`, hostname: anyPort[2]!.toLowerCase() };
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // An origin has nothing after the host: `https://a.example/` is accepted, `https://a.example/app` is not.
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) return null;
  if (entry.replace(/\/$/, '').toLowerCase() !== url.origin.toLowerCase()) return null;
  return { kind: 'exact', origin: url.origin };
}

export interface CorsPolicy {
  /** Whether the origin may call the API from a browser. */
  allows(origin: string): boolean;
}

export function createCorsPolicy(origins: readonly string[]): CorsPolicy {
  const rules = origins.map((entry) => {
    const rule = parseRule(entry);
    if (!rule) throw new RangeError(`CORS origin "${entry}" is not ${ORIGIN_FORMAT}`);
    return rule;
  });
  return {
    allows(origin) {
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        return false; // `null` (sandboxed frames, files) and anything unparsable
      }
      return rules.some((rule) =>
        rule.kind === 'any' ? true
        : rule.kind === 'exact' ? rule.origin === url.origin
        : rule.protocol === url.protocol && rule.hostname === url.hostname,
      );
    },
  };
}

/**
 * Applies the policy to a request. A preflight (OPTIONS with `Access-Control-Request-Method`) is
 * answered here: 204 with the permissions for an allowed origin, 403 naming the setting for a
 * refused one; returns true then, and the caller does nothing more. Any other request (a plain
 * OPTIONS too, which each route answers with its own methods: http/optionsAnswer.ts) from an
 * allowed origin gets its CORS headers and goes on (returns false); from a refused origin it goes
 * on without them, so the browser withholds the answer from the page (the gateway's own pages,
 * same-origin, send an Origin too and must keep working).
 */
export function applyCors(policy: CorsPolicy, req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  // A browser's preflight always names its origin; without one it is a plain OPTIONS, for the route.
  const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined && origin !== undefined;
  res.appendHeader('vary', preflight ? ['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers'] : 'Origin');
  const allowed = origin !== undefined && policy.allows(origin);

  if (!preflight) {
    if (allowed) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', EXPOSED_HEADERS.join(', '));
    }
    // OPTIONS without a preflight's headers is for the route to answer: it knows its methods.
    return false;
  }

  if (!allowed) {
    sendJson(res, 403, errorBody(ErrorCode.CORS_ORIGIN_REFUSED, `Origin ${origin ?? '(none)'} may not call this API from a browser; add it to SWITCHBOARD_CORS_ORIGINS`));
    return true;
  }
  const requested = (req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => ALLOWED_HEADERS.includes(name));
  res.writeHead(204, {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': ALLOWED_METHODS.join(', '),
    ...(requested.length > 0 && { 'access-control-allow-headers': requested.join(', ') }),
    'access-control-max-age': String(PREFLIGHT_MAX_AGE_S),
  });
  res.end();
  return true;
}
