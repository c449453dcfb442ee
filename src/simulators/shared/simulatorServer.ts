import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The HTTP plumbing every provider simulator shares: routing, auth, request counters per
 * endpoint, configurable latency, and switchable fault modes. Each simulator supplies only its
 * routes and data, so the three of them speak their own documents with one set of test controls.
 *
 * Control endpoints live under `/__simulator/` (no auth; loopback only by design):
 *   GET  /__simulator/stats            request counts per endpoint and simulator-specific figures
 *   POST /__simulator/reset-stats      zero the counters
 *   PUT  /__simulator/faults           body `{ "endpoint": "GET /v1/conversations" | "*", "fault": Fault | null }`
 *                                      (`"times": n` in the fault limits it to the next n requests;
 *                                      `"fault": null` clears the fault set on that same key)
 *   DELETE /__simulator/faults         clear every fault
 *   PUT  /__simulator/latency          body `{ "minMs": 0, "maxMs": 20 }`
 */

export type FaultMode =
  | { kind: 'status'; status: number; body?: unknown }
  // Accept the request and never answer; with `afterHandling`, carry it out first (a create the
  // client never hears about), else do nothing.
  | { kind: 'timeout'; afterHandling?: boolean }
  // Destroy the socket without a response; with `afterHandling`, after carrying the request out.
  | { kind: 'reset'; afterHandling?: boolean }
  | { kind: 'slow'; delayMs: number } // answer correctly, late
  | { kind: 'malformedJson' }
  | { kind: 'drift'; field: string; to: 'delete' | { value: unknown } } // applied to every object with `field`
  | { kind: 'rateLimit'; retryAfterSeconds: number };

/**
 * A fault mode, by default until cleared. With `times`, it hits only the next `times` matching
 * requests and then clears itself: an intermittent failure, or a 429 storm of a given length,
 * after which recovery can be observed without racing the test against the simulator.
 */
export type Fault = FaultMode & { times?: number };

export interface SimRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Express-style pattern, e.g. `/v1/conversations/:id`. */
  pattern: string;
  handler: (request: SimRequest) => SimResponse | Promise<SimResponse>;
}

export interface SimulatorServerOptions {
  name: string;
  routes: Route[];
  /** Returns an error response when the request's credentials are wrong, else null. */
  authenticate: (headers: IncomingMessage['headers']) => SimResponse | null;
  /** Extra figures for `/__simulator/stats` (e.g. peak concurrency). */
  extraStats?: () => Record<string, unknown>;
  latency?: { minMs: number; maxMs: number };
}

export interface SimulatorStats {
  /** Requests per endpoint, keyed `METHOD /pattern`, counted before auth and faults. */
  requests: Record<string, number>;
  total: number;
  /** Requests answered with an injected fault. */
  faulted: number;
  /** Most requests to routed endpoints in progress at the same time since the last reset. */
  peakInFlight: number;
  [extra: string]: unknown;
}

export class SimulatorServer {
  readonly name: string;
  #server: Server | null = null;
  #routes: { route: Route; key: string; regex: RegExp; names: string[] }[];
  #counts = new Map<string, number>();
  #faults = new Map<string, { fault: Fault; remaining: number }>();
  #faulted = 0;
  #inFlight = 0;
  #peakInFlight = 0;
  #latency: { minMs: number; maxMs: number };
  #options: SimulatorServerOptions;
  #sockets = new Set<import('node:net').Socket>();

  constructor(options: SimulatorServerOptions) {
    this.name = options.name;
    this.#options = options;
    this.#latency = options.latency ?? { minMs: 0, maxMs: 0 };
    this.#routes = options.routes.map((route) => {
      const names: string[] = [];
      const source = route.pattern.replace(/:([a-zA-Z]+)/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      return { route, key: `${route.method} ${route.pattern}`, regex: new RegExp(`^${source}/?$`), names };
    });
  }

  /** Listens on 127.0.0.1; port 0 picks a free one. Resolves to the base URL. */
  async listen(port = 0): Promise<string> {
    const server = createServer((req, res) => void this.#handle(req, res));
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return this.url;
  }

  get url(): string {
    const address = this.#server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error(`${this.name} simulator is not listening`);
    return `http://127.0.0.1:${address.port}`;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  stats(): SimulatorStats {
    const requests = Object.fromEntries(this.#counts);
    const total = [...this.#counts.values()].reduce((a, b) => a + b, 0);
    return { requests, total, faulted: this.#faulted, peakInFlight: this.#peakInFlight, ...(this.#options.extraStats?.() ?? {}) };
  }

  /** Count of requests to one endpoint, keyed as in `stats().requests`. */
  count(endpoint: string): number {
    return this.#counts.get(endpoint) ?? 0;
  }

  resetStats(): void {
    this.#counts.clear();
    this.#faulted = 0;
    this.#peakInFlight = this.#inFlight;
  }

  /**
   * Sets (or with null clears) a fault on one endpoint (`GET /v1/agents/:id`) or on all (`*`).
   * An endpoint's own fault wins over `*`.
   */
  setFault(endpoint: string, fault: Fault | null): void {
    if (fault === null) this.#faults.delete(endpoint);
    else this.#faults.set(endpoint, { fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  setLatency(latency: { minMs: number; maxMs: number }): void {
    this.#latency = latency;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://simulator');
      const rawBody = await readBody(req);
      if (url.pathname.startsWith('/__simulator/')) {
        return send(res, this.#control(req.method ?? 'GET', url.pathname, rawBody));
      }
      const match = this.#match(req.method ?? 'GET', url.pathname);
      if (!match) return send(res, { status: 404, body: { error: 'Not found' } });
      this.#counts.set(match.key, (this.#counts.get(match.key) ?? 0) + 1);
      this.#inFlight += 1;
      this.#peakInFlight = Math.max(this.#peakInFlight, this.#inFlight);
      res.once('close', () => (this.#inFlight -= 1));

      await delay(this.#latency.minMs + Math.random() * (this.#latency.maxMs - this.#latency.minMs));
      const fault = this.#takeFault(match.key);
      const lostAnswer = (fault?.kind === 'timeout' || fault?.kind === 'reset') && fault.afterHandling === true;
      if (fault?.kind === 'timeout' && !lostAnswer) return; // the client's timeout is what is under test
      if (fault?.kind === 'reset' && !lostAnswer) return void req.socket.destroy();
      if (fault?.kind === 'status') return send(res, { status: fault.status, body: fault.body ?? { error: 'Simulated failure' } });
      if (fault?.kind === 'rateLimit') {
        return send(res, {
          status: 429,
          headers: { 'retry-after': String(fault.retryAfterSeconds) },
          body: { error: 'Too many requests' },
        });
      }
      if (fault?.kind === 'slow') await delay(fault.delayMs);

      const denied = this.#options.authenticate(req.headers);
      if (denied) return send(res, denied);

      let body: unknown = undefined;
      if (rawBody.length > 0) {
        try {
          body = JSON.parse(rawBody);
        } catch {
          return send(res, { status: 400, body: { error: 'Invalid JSON body' } });
        }
      }
      const response = await match.route.handler({
        method: req.method ?? 'GET',
        path: url.pathname,
        params: match.params,
        query: url.searchParams,
        headers: req.headers,
        body,
      });
      if (lostAnswer) {
        // Done, but the answer is lost: the case a client can only settle by asking again later.
        if (fault?.kind === 'reset') req.socket.destroy();
        return;
      }
      if (fault?.kind === 'malformedJson' && response.status < 300) {
        res.writeHead(response.status, { 'content-type': 'application/json', ...response.headers });
        return void res.end('{"results": [ {"id": "trunc');
      }
      if (fault?.kind === 'drift' && response.body !== undefined) {
        response.body = applyDrift(response.body, fault.field, fault.to);
      }
      send(res, response);
    } catch (error) {
      send(res, { status: 500, body: { error: error instanceof Error ? error.message : 'Internal error' } });
    }
  }

  /** The fault for this request, if any, counting it against the fault's `times`. */
  #takeFault(endpoint: string): Fault | undefined {
    const key = this.#faults.has(endpoint) ? endpoint : '*';
    const entry = this.#faults.get(key);
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#faults.delete(key);
    this.#faulted += 1;
    return entry.fault;
  }

  #control(method: string, path: string, rawBody: string): SimResponse {
    const body = rawBody ? (JSON.parse(rawBody) as Record<string, unknown>) : {};
    if (method === 'GET' && path === '/__simulator/stats') return { status: 200, body: this.stats() };
    if (method === 'POST' && path === '/__simulator/reset-stats') {
      this.resetStats();
      return { status: 204 };
    }
    if (method === 'PUT' && path === '/__simulator/faults') {
      const endpoint = typeof body.endpoint === 'string' ? body.endpoint : '*';
      this.setFault(endpoint, (body.fault ?? null) as Fault | null);
      return { status: 204 };
    }
    if (method === 'DELETE' && path === '/__simulator/faults') {
      this.clearFaults();
      return { status: 204 };
    }
    if (method === 'PUT' && path === '/__simulator/latency') {
      this.setLatency({ minMs: Number(body.minMs ?? 0), maxMs: Number(body.maxMs ?? body.minMs ?? 0) });
      return { status: 204 };
    }
    return { status: 404, body: { error: 'Unknown control endpoint' } };
  }

  #match(method: string, path: string) {
    for (const entry of this.#routes) {
      if (entry.route.method !== method) continue;
      const m = entry.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      entry.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] ?? '')));
      return { route: entry.route, key: entry.key, params };
    }
    return null;
  }
}

function send(res: ServerResponse, response: SimResponse): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...response.headers };
  if (response.body === undefined) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  headers['content-type'] ??= 'application/json';
  res.writeHead(response.status, headers);
  res.end(JSON.stringify(response.body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

function applyDrift(value: unknown, field: string, to: 'delete' | { value: unknown }): unknown {
  if (Array.isArray(value)) return value.map((v) => applyDrift(v, field, to));
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === field) {
      if (to !== 'delete') copy[key] = to.value;
      continue;
    }
    copy[key] = applyDrift(inner, field, to);
  }
  return copy;
}

/** What every provider simulator offers its callers: the running server and its lifecycle. */
export interface ProviderSimulator {
  /** Counters, faults and latency controls. */
  readonly server: SimulatorServer;
  /** Base URL once listening, e.g. `http://127.0.0.1:4102`. */
  readonly url: string;
  /** Listens on 127.0.0.1 (port 0: a free one) and resolves to the base URL. */
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
}

/** The `ProviderSimulator` face of a server; simulators spread it into what they return. */
export function providerSimulatorOf(server: SimulatorServer): ProviderSimulator {
  return {
    server,
    get url() {
      return server.url;
    },
    listen: (port) => server.listen(port),
    close: () => server.close(),
  };
}
