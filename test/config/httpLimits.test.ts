import { describe, expect, it } from 'vitest';
import { httpLimitsOf, loadConfig } from '../../src/config.ts';
import { configRefusal } from './configRefusal.ts';


describe('HTTP limits configuration', () => {
  it('bounds every timeout and the connections by default', () => {
    expect(httpLimitsOf(loadConfig({}).env)).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      bodyIdleTimeoutMs: 5_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1_000,
    });
  });

  it('reads each limit from its variable', () => {
    const env = loadConfig({
      SWITCHBOARD_HTTP_HEADERS_TIMEOUT_MS: '2000',
      SWITCHBOARD_HTTP_REQUEST_TIMEOUT_MS: '4000',
      SWITCHBOARD_HTTP_BODY_IDLE_TIMEOUT_MS: '1000',
      SWITCHBOARD_HTTP_KEEP_ALIVE_TIMEOUT_MS: '3000',
      SWITCHBOARD_HTTP_MAX_CONNECTIONS: '50',
    }).env;
    expect(httpLimitsOf(env)).toEqual({ headersTimeoutMs: 2000, requestTimeoutMs: 4000, bodyIdleTimeoutMs: 1000, keepAliveTimeoutMs: 3000, maxConnections: 50 });
  });

  it.each(['SWITCHBOARD_HTTP_HEADERS_TIMEOUT_MS', 'SWITCHBOARD_HTTP_BODY_IDLE_TIMEOUT_MS', 'SWITCHBOARD_HTTP_MAX_CONNECTIONS'])('names %s when it is not a positive whole number', (key) => {
    expect(configRefusal({ [key]: '0' })).toContain(key);
    expect(configRefusal({ [key]: 'lots' })).toContain(key);
  });

  it('refuses a headers timeout longer than the request timeout it is part of', () => {
    const message = configRefusal({ SWITCHBOARD_HTTP_HEADERS_TIMEOUT_MS: '20000', SWITCHBOARD_HTTP_REQUEST_TIMEOUT_MS: '10000' });
    expect(message).toContain('SWITCHBOARD_HTTP_HEADERS_TIMEOUT_MS');
    expect(message).toContain('SWITCHBOARD_HTTP_REQUEST_TIMEOUT_MS');
  });
});
