import type { ServerResponse } from 'node:http';
import type { GatewayMetrics } from './metrics.ts';
import type { Readiness } from './readiness.ts';

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
  return (path: string, res: ServerResponse): boolean => {
    if (path === '/healthz' || path === '/health') {
      send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ status: 'ok' }));
      return true;
    }
    if (path === '/readyz' && readiness) {
      readiness.check().then(
        (report) => send(res, report.ready ? 200 : 503, 'application/json; charset=utf-8', JSON.stringify({ status: report.ready ? 'ready' : 'not ready', ...report })),
        () => send(res, 503, 'application/json; charset=utf-8', JSON.stringify({ status: 'not ready' })),
      );
      return true;
    }
    if (path === '/metrics' && metrics) {
      metrics.scrape().then(
        ({ contentType, body }) => send(res, 200, contentType, body),
        () => send(res, 500, 'text/plain; charset=utf-8', 'metrics could not be collected\n'),
      );
      return true;
    }
    return false;
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}
