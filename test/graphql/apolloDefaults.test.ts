import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

interface InternalPlugin {
  __internal_plugin_id__?: string;
  __is_disabled_plugin__?: boolean;
}

// Apollo installs its cache-control plugin unless told otherwise, and it wraps every resolver of
// every query to collect hints this schema never gives (issue 9: a visible share of CPU per query).
describe('Apollo runs without per-resolver plugins the gateway does not use', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('installs the cache-control and inline-trace features disabled', () => {
    const plugins = (gw.gateway.apollo as unknown as { internals: { plugins: InternalPlugin[] } }).internals.plugins;
    const features = plugins
      .filter((plugin) => plugin.__internal_plugin_id__ === 'CacheControl' || plugin.__internal_plugin_id__ === 'InlineTrace')
      .map((plugin) => [plugin.__internal_plugin_id__, plugin.__is_disabled_plugin__]);
    expect(features).toEqual([
      ['CacheControl', true],
      ['InlineTrace', true],
    ]);
  });

  it('still tells caches not to store an answer', async () => {
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-key' },
      body: JSON.stringify({ query: '{ conversations(first: 1) { edges { node { id } } } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});
