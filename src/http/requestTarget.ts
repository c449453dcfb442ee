import type { IncomingMessage } from 'node:http';

/**
 * RFC 9112, section 3.2.2: a server must accept a request target in absolute form
 * (`GET http://host/healthz`), which clients send to proxies and some send to origins too, and
 * then use the target's host instead of the `Host` header. Every route reads `req.url` as a path,
 * so the target is rewritten to its path and query here, before any route sees it. Only `http`
 * and `https` targets: anything else stays as it came and is found by no route.
 */
export function acceptAbsoluteForm(req: IncomingMessage): void {
  const target = req.url ?? '';
  if (!/^https?:\/\//i.test(target)) return;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return; // not a URL after all: no route matches it, so it is answered 404 as written
  }
  req.url = `${url.pathname}${url.search}`;
  req.headers.host = url.host;
}
