import { request } from 'node:http';

/** An answer as it came over the wire: headers as node:http gives them, body bytes undecoded. */
export interface RawExchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * One request with node:http, which (unlike fetch) sends `Origin` as given and neither asks for
 * nor decodes compressed bodies by itself, so the tests see exactly what the gateway sent.
 * `path` sends a request target as written, in place of the URL's (`*`).
 */
export function exchange(url: string, options: { method: string; headers?: Record<string, string>; body?: string; path?: string }): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const target = options.path === undefined ? {} : { path: options.path };
    const req = request(url, { method: options.method, headers: options.headers ?? {}, agent: false, ...target }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
