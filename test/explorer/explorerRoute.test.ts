import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExplorerBuildUnavailableError, type ExplorerAsset } from '../../src/explorer/buildExplorer.ts';
import { explorerAssets } from '../../src/explorer/explorerAssets.ts';
import { explorerRoute } from '../../src/explorer/explorerRoute.ts';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

const asset = (text: string): ExplorerAsset => ({ contentType: 'text/javascript; charset=utf-8', body: new TextEncoder().encode(text) });

/** The route alone on a plain node:http server, with the given assets. */
async function serveRoute(assets: () => Promise<Map<string, ExplorerAsset>>, initialState?: { headers: Record<string, string>; document: string }) {
  const errors: unknown[] = [];
  const route = explorerRoute({ assets, ...(initialState && { initialState }), onError: (error) => errors.push(error) });
  const server: Server = createServer((req, res) => void route(req, res, (req.url ?? '/').split('?')[0] ?? '/'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, errors, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('explorer route', () => {
  it('serves the page with the demo key and first query prefilled, and nothing a value could break out of', async () => {
    const served = await serveRoute(async () => new Map(), {
      headers: { Authorization: 'Bearer demo-key' },
      document: '{ conversations(first: 3) { totalCount } } # </script><script>alert(1)</script>',
    });
    try {
      const response = await fetch(`${served.base}/graphiql`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      const html = await response.text();
      const json = /<script type="application\/json" id="explorer-config">(.*)<\/script>/.exec(html)?.[1] ?? '';
      expect(html.match(/<\/script>/g)).toHaveLength(2); // the config's and the app's: the document closes neither
      // An icon of its own, so the browser does not ask /favicon.ico (a 404 in the console on every visit).
      expect(html).toContain('<link rel="icon" href="data:,">');
      expect(JSON.parse(json)).toEqual({
        endpoint: '/graphql',
        headers: '{\n  "Authorization": "Bearer demo-key"\n}',
        // Comments are not part of the document: printing it drops the injected text entirely.
        document: '{\n  conversations(first: 3) {\n    totalCount\n  }\n}',
      });
    } finally {
      await served.close();
    }
  });

  it('serves each asset, 404 for an unknown one, 405 for a POST', async () => {
    const served = await serveRoute(async () => new Map([['app.js', asset('console.log(1)')]]));
    try {
      const app = await fetch(`${served.base}/graphiql/assets/app.js`);
      expect([app.status, app.headers.get('content-type'), await app.text()]).toEqual([200, 'text/javascript; charset=utf-8', 'console.log(1)']);
      expect((await fetch(`${served.base}/graphiql/assets/other.js`)).status).toBe(404);
      expect((await fetch(`${served.base}/graphiql/assets/x/app.js`)).status).toBe(404);
      const post = await fetch(`${served.base}/graphiql`, { method: 'POST' });
      expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD, OPTIONS']);
    } finally {
      await served.close();
    }
  });

  it('answers 503 EXPLORER_UNAVAILABLE when the bundle cannot be built, and reports why', async () => {
    const served = await serveRoute(() => Promise.reject(new ExplorerBuildUnavailableError('esbuild is not installed')));
    try {
      const response = await fetch(`${served.base}/graphiql/assets/app.js`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]).toEqual({ message: 'The explorer could not be built: esbuild is not installed', extensions: { code: 'EXPLORER_UNAVAILABLE' } });
      expect(served.errors).toHaveLength(1);
    } finally {
      await served.close();
    }
  });

  it('names a failed bundle without the server\'s paths esbuild quotes; the log has them', async () => {
    const failure = new Error('Build failed with 1 error:\nerror: Could not resolve "/srv/switchboard/build/explorer/browser/main.jsx"');
    const served = await serveRoute(() => Promise.reject(failure));
    try {
      const response = await fetch(`${served.base}/graphiql/assets/app.js`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors).toEqual([{ message: "The explorer could not be built; the gateway's log says why", extensions: { code: 'EXPLORER_UNAVAILABLE' } }]);
      expect(served.errors).toEqual([failure]);
    } finally {
      await served.close();
    }
  });
});

describe('explorer assets', () => {
  const emptyDir = mkdtempSync(join(tmpdir(), 'explorer-none-'));
  afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

  it('builds nothing until first asked, then once, and retries after a failed build', async () => {
    let builds = 0;
    const assets = explorerAssets(emptyDir, async () => {
      builds += 1;
      if (builds === 1) throw new Error('first build fails');
      return new Map([['app.js', asset('ok')]]);
    });
    expect(builds).toBe(0);
    await expect(assets()).rejects.toThrow('first build fails');
    const [first, second] = await Promise.all([assets(), assets()]);
    expect(first).toBe(second);
    expect(builds).toBe(2);
  });

  it('reads a prebuilt folder (npm run explorer:build) where esbuild is not installed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'explorer-prebuilt-'));
    try {
      writeFileSync(join(dir, 'app.js'), 'prebuilt();');
      writeFileSync(join(dir, 'app.css'), 'body{}');
      const assets = await explorerAssets(dir, () => Promise.reject(new ExplorerBuildUnavailableError('esbuild is not installed')))();
      expect([...assets.keys()].sort()).toEqual(['app.css', 'app.js']);
      expect(new TextDecoder().decode(assets.get('app.js')?.body)).toBe('prebuilt();');
      // Any other build failure is a real error: the prebuilt folder does not paper over it.
      await expect(explorerAssets(dir, () => Promise.reject(new Error('syntax error in main.jsx')))()).rejects.toThrow('syntax error');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('on the gateway', () => {
  let closed: TestGateway;
  beforeAll(async () => {
    closed = await startTestGateway({}, { gateway: { introspection: false } });
  });
  afterAll(() => closed.close());

  it('is off where introspection is off (production), like the Sandbox landing page', async () => {
    const response = await fetch(closed.url.replace(/\/graphql$/, '/graphiql'));
    expect(response.status).toBe(404);
  });
});
