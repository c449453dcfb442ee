import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../errors.ts';
import { errorBody } from '../http/errorBody.ts';
import { allowHeader, answeredOptions } from '../http/optionsAnswer.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { Readiness } from './readiness.ts';

/** `/healthz`, and `/health`: its older name, which stays. */
const LIVENESS_PATHS: readonly string[] = ['/healthz', '/health'];
const READINESS_PATH = '/readyz';
const METRICS_PATH = '/metrics';

/**
 * Every path these routes own, whether or not a gateway serves it: the router labels their access
 * lines with the path itself, and the access log puts them at `debug` (probes and scrapes).
 */
export const OPERATIONAL_PATHS: ReadonlySet<string> = new Set([...LIVENESS_PATHS, READINESS_PATH, METRICS_PATH]);

/** Probes and scrapes read; node:http answers HEAD with the GET's headers and no body. */
const PROBE_METHODS: readonly string[] = ['GET', 'HEAD'];

export interface HealthRoutesOptions {
  readiness?: Readiness | null;
  metrics?: GatewayMetrics | null;
}

/**
 * The operational routes beside /graphql, none of which needs a key: `/healthz` (the process is
 * alive; `/health` is its older name and stays), `/readyz` (send traffic here? 200 or 503 with
 * the reason of each check) and `/metrics` (Prometheus text). Returns false for any other path.
 */
export function createHealthRoutes(options: HealthRoutesOptions) {
  const { readiness, metrics } = options;
  const live = (res: ServerResponse) => send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ status: 'ok' }));
  const ready = (check: Readiness) => (res: ServerResponse) =>
    void check.check().then(
      (report) => send(res, report.ready ? 200 : 503, 'application/json; charset=utf-8', JSON.stringify({ status: report.ready ? 'ready' : 'not ready', ...report })),
      () => send(res, 503, 'application/json; charset=utf-8', JSON.stringify({ status: 'not ready' })),
    );
  const scrape = (gatewayMetrics: GatewayMetrics) => (res: ServerResponse) =>
    void gatewayMetrics.scrape().then(
      ({ contentType, body }) => send(res, 200, contentType, body),
      () => send(res, 500, 'text/plain; charset=utf-8', 'metrics could not be collected\n'),
    );
  const routes = new Map<string, (res: ServerResponse) => void>([
    ...LIVENESS_PATHS.map((path) => [path, live] as const),
    ...(readiness ? [[READINESS_PATH, ready(readiness)] as const] : []),
    ...(metrics ? [[METRICS_PATH, scrape(metrics)] as const] : []),
  ]);
  return (req: IncomingMessage, path: string, res: ServerResponse): boolean => {
    const serve = routes.get(path);
    if (!serve) return false;
    if (answeredOptions(req, res, PROBE_METHODS)) return true;
    if (!PROBE_METHODS.includes((req.method ?? '').toUpperCase())) {
      res.setHeader('allow', allowHeader(PROBE_METHODS));
      send(res, 405, 'application/json; charset=utf-8', JSON.stringify(errorBody(ErrorCode.METHOD_NOT_ALLOWED, `${req.method} is not allowed on ${path}; it is read with GET`)));
      return true;
    }
    serve(res);
    return true;
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}
