import type { IncomingMessage } from 'node:http';
import { ErrorCode } from '../errors.ts';
import type { CorsPolicy } from './cors.ts';

/**
 * Demo mode on loopback: the gateway answers only requests addressed to this machine by a
 * loopback name. Its API keys are public (the README names them), so "only this machine can
 * reach it" is its whole protection, and a web page can get around that: a name the attacker
 * controls, resolved to 127.0.0.1 after the page loaded (DNS rebinding), makes the page
 * same-origin with the gateway, free to read every answer and to create conversations. Such a
 * request still carries the attacker's name in `Host`. Development servers guard the same way
 * (webpack-dev-server's allowedHosts, Vite's server.allowedHosts).
 */
export function isLoopbackHost(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${hostHeader}`).hostname;
  } catch {
    return false;
  }
  return isLoopbackName(hostname);
}

function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * A WebSocket upgrade, which CORS does not cover (a browser opens one to any origin and sends the
 * page's `Origin`), is taken when addressed to a loopback name, from no browser (no `Origin`) or
 * from a page the CORS policy allows (this machine's pages, the hosted Sandbox). Without it any
 * web site could subscribe, with the public demo key, to the demo's live changes. Returns why one
 * is refused, as the body of its 403 (a refusal answered with no body and no code, an outside trial), or null.
 */
export function loopbackUpgradeRefusal(req: IncomingMessage, cors: CorsPolicy): UpgradeRefusal | null {
  if (!isLoopbackHost(req.headers.host)) return { code: ErrorCode.FORBIDDEN, message: NOT_A_LOOPBACK_HOST_MESSAGE };
  const origin = req.headers.origin;
  if (origin === undefined || cors.allows(origin)) return null;
  return { code: ErrorCode.CORS_ORIGIN_REFUSED, message: `Origin ${origin} may not open a WebSocket to this demo gateway; add it to SWITCHBOARD_CORS_ORIGINS` };
}

/** Why an upgrade is refused: the error of its 403's body. */
export interface UpgradeRefusal {
  code: ErrorCode;
  message: string;
}

export const NOT_A_LOOPBACK_HOST_MESSAGE =
  'This demo gateway answers only requests addressed to localhost or a loopback address (127.0.0.1, [::1]): its API keys are public, so a page reaching it under another name (DNS rebinding) is refused. To serve the network, set HOST (docs/configuration.md)';
