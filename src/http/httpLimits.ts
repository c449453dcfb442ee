import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '../errors.ts';
import { errorBody } from './errorBody.ts';
import { refuseAndClose } from './nodeHttpHandler.ts';
import { acceptAbsoluteForm } from './requestTarget.ts';

/**
 * How long and how many: what one client may hold of the gateway's HTTP server before it has
 * proven who it is. Node's defaults (300 s per request, no connection cap) let slow clients hold
 * sockets and buffered bodies for minutes; these bound both.
 */
export interface HttpLimits {
  /** Time to receive a request's headers (Node's `server.headersTimeout`): 408, connection closed. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body (Node's `server.requestTimeout`): 408, connection closed. */
  requestTimeoutMs: number;
  /** Longest pause between two pieces of a request body: 408 `BAD_REQUEST`, connection closed. */
  bodyIdleTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** Open connections at most; one more is closed as soon as it is accepted. */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  bodyIdleTimeoutMs: 5_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_000,
};

/** A request Node's HTTP parser refused before any route saw it. */
export interface HttpRefusal {
  status: number;
  /** Node's error code: `HPE_HEADER_OVERFLOW`, `ERR_HTTP_REQUEST_TIMEOUT`, `HPE_INVALID_METHOD`, … */
  reason: string;
}

/** A node:http server that enforces `limits`; nothing listens yet. `onRefused` hears of each request Node refuses before routing. */
export function createLimitedHttpServer(limits: HttpLimits, onRefused?: (refusal: HttpRefusal) => void): Server {
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks the two timeouts above on this interval (30 s by default), so a deadline is
    // enforced up to one interval late; a quarter of the shorter one keeps that slack small.
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4))),
    // Checked below instead: Node's own refusal is a bare 400 with no body and no code.
    requireHostHeader: false,
  });
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket, onRefused));
  // Registered before any route's listener, which skips a request answered here (`answeredBeforeRoutes`).
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const hosts = req.headersDistinct.host?.length ?? 0;
    // RFC 9112, section 3.2: exactly one Host in an HTTP/1.1 request (node:http keeps the first of several).
    if (req.httpVersion === '1.1' && hosts !== 1) {
      refuseAndClose(req, res, 400, errorBody(ErrorCode.BAD_REQUEST, hosts === 0 ? 'An HTTP/1.1 request needs a Host header' : 'A request has one Host header'));
      onRefused?.({ status: 400, reason: hosts === 0 ? 'HOST_MISSING' : 'HOST_REPEATED' });
      return;
    }
    acceptAbsoluteForm(req);
  });
  // Node answers an `Expect` other than 100-continue with a bare 417 unless this is listened for.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    refuseAndClose(req, res, 417, errorBody(ErrorCode.BAD_REQUEST, `Expect: only "100-continue" is supported`));
    onRefused?.({ status: 417, reason: 'EXPECTATION_UNSUPPORTED' });
  });
  return server;
}

/** Whether the server's own checks (`createLimitedHttpServer`) already answered this request. */
export function answeredBeforeRoutes(res: ServerResponse): boolean {
  return res.headersSent;
}

/**
 * A request Node refuses before any route sees it (headers too large, a timeout, bytes that are
 * not HTTP) is answered like every other refusal: a JSON body with a code. Node's own answer is a
 * bare status line with no body and no code.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, onRefused?: (refusal: HttpRefusal) => void): void {
  // Nothing to answer on a connection the client reset or that is already answered.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request headers too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request not received in time']
        : [400, 'Malformed HTTP request'];
  const body = JSON.stringify(errorBody(ErrorCode.BAD_REQUEST, message));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  onRefused?.({ status, reason: error.code ?? 'unknown' });
}
