import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

/** Debian's package (`apt-get install chromium`; .ci/run installs it). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Git-ignored: the screenshot is kept for a person to look at, not committed. */
const SCREENSHOT = fileURLToPath(new URL('../../test-output/explorer/graphiql.png', import.meta.url));

/** The README's first query: the one in its first `curl` example. */
function readmeFirstQuery(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const body = /-d '(\{"query":.*\})'/.exec(readme)?.[1];
  if (!body) throw new Error('README.md has no curl example with a query');
  return (JSON.parse(body) as { query: string }).query;
}

describe('GraphiQL at /graphiql, in a real browser with no outside network', () => {
  let gateway: TestGateway;
  let context: BrowserContext;
  let userDataDir: string;
  const requested: string[] = [];
  const query = readmeFirstQuery();

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
    // Demo mode's prefill, as main.ts passes it to the landing pages.
    gateway = await startTestGateway({}, { gateway: { sandboxInitialState: { headers: { Authorization: 'Bearer demo-key' }, document: query } } });
    userDataDir = mkdtempSync(join(tmpdir(), 'graphiql-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1400, height: 900 },
    });
    context.on('request', (request) => requested.push(request.url()));
    // Anything outside the gateway fails instead of reaching the internet, so a CDN reference
    // cannot pass here by luck; the assertion below also names it.
    await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await gateway?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('loads, runs the README query with the demo key prefilled, and shows the answer', async () => {
    const expected = await gateway.query<Record<'all' | 'oration', { totalCount: number }>>(query);
    const totalCount = expected.body.data?.all.totalCount;
    const orationCount = expected.body.data?.oration.totalCount;
    expect([totalCount, orationCount]).toEqual([421, 141]);

    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const base = gateway.url.replace(/\/graphql$/, '');
    await page.goto(`${base}/graphiql`);

    // Monaco renders only what is visible: read the editors through their text, line by line.
    const queryEditor = page.locator('.graphiql-query-editor .view-lines');
    await expect.poll(async () => (await queryEditor.innerText()).replace(/\s+/g, ' '), { timeout: 60_000 }).toContain('all: conversations(first: 0)');
    const headersEditor = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .view-lines');
    await expect.poll(async () => (await headersEditor.innerText()).replace(/\s+/g, ' '), { timeout: 10_000 }).toContain('"Authorization": "Bearer demo-key"');

    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response .view-lines');
    await expect.poll(async () => (await response.innerText()).replace(/\s+/g, ' '), { timeout: 30_000 }).toContain(`"totalCount": ${totalCount}`);
    // Monaco renders only the visible lines and wraps long ones: compare the top, without white space.
    expect((await response.innerText()).replace(/\s+/g, '')).toContain(`{"data":{"all":{"totalCount":${totalCount}},"oration":{"totalCount":${orationCount}`);

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    expect(pageErrors).toEqual([]);
    const outside = requested.filter((url) => !['127.0.0.1'].includes(new URL(url).hostname) && !url.startsWith('data:'));
    expect(outside).toEqual([]);
    // The page, its stylesheet and script, and the workers came from the gateway.
    const paths = new Set(requested.map((url) => new URL(url).pathname));
    for (const path of ['/graphiql', '/graphiql/assets/app.js', '/graphiql/assets/app.css', '/graphiql/assets/graphql.worker.js', '/graphql']) {
      expect(paths.has(path), path).toBe(true);
    }
  }, 180_000);
});
