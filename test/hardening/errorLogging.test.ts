import { ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { formatGatewayError } from '../../src/errors.ts';
import { createLogger, redact } from '../../src/logger.ts';
import { errorLoggingPlugin } from '../../src/plugins/errorLoggingPlugin.ts';
import { ProviderRateLimitedError } from '../../src/providers/errors.ts';

describe('unexpected errors', () => {
  it('keep a value graphql-js could not write (a scalar\'s "cannot represent" on a field) internal, its message unseen', async () => {
    // Refused literals are named by their field; this message has the same start but is no client's input.
    const server = new ApolloServer({
      typeDefs: 'type Query { count: Int }',
      resolvers: { Query: { count: () => 'db-3.internal:5432' } },
      includeStacktraceInErrorResponses: false,
      formatError: formatGatewayError,
    });
    const response = await server.executeOperation({ query: '{ count }' });
    expect(response.body.kind === 'single' && response.body.singleResult).toEqual({
      data: { count: null },
      errors: [{ message: 'Internal server error', locations: [{ line: 1, column: 3 }], path: ['count'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
    await server.stop();
  });

  it('reach the client as a bare INTERNAL_SERVER_ERROR and the log with their stack', async () => {
    const lines: string[] = [];
    const server = new ApolloServer({
      typeDefs: 'type Query { boom: String, fine: String }',
      resolvers: {
        Query: {
          boom: () => {
            throw new TypeError('cannot read row of postgres://gateway@db-3.internal/switchboard');
          },
          fine: () => 'ok',
        },
      },
      includeStacktraceInErrorResponses: false,
      formatError: formatGatewayError,
      plugins: [errorLoggingPlugin(createLogger('debug', (line) => lines.push(line)))],
    });
    const response = await server.executeOperation({ query: '{ boom fine }' });
    expect(response.body.kind === 'single' && response.body.singleResult).toEqual({
      data: { boom: null, fine: 'ok' },
      errors: [{ message: 'Internal server error', locations: [{ line: 1, column: 3 }], path: ['boom'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
    const logged = lines.map((line) => JSON.parse(line) as Record<string, string>);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'error', path: 'boom', reason: expect.stringContaining('db-3.internal') });
    expect(logged[0]!.stack).toMatch(/TypeError: cannot read row/);
    await server.stop();
  });
});

describe('logger redaction', () => {
  it('scrubs configured secrets by value wherever they appear, even inside nested fields', () => {
    const lines: string[] = [];
    const logger = createLogger('info', (line) => lines.push(line), { secrets: ['sk-live-0123456789', 'short'] });
    logger.info('calling with sk-live-0123456789', { detail: { nested: 'url?key=sk-live-0123456789' }, word: 'short' });
    expect(lines[0]).not.toContain('sk-live-0123456789');
    expect(lines[0]!.match(/\[redacted\]/g)).toHaveLength(2);
    // Values under 6 characters would scrub ordinary words: they are not treated as secrets.
    expect(JSON.parse(lines[0]!)).toMatchObject({ word: 'short' });
  });

  it('scrubs fields named like secrets and bearer tokens or key=value pairs in free text', () => {
    const lines: string[] = [];
    createLogger('info', (line) => lines.push(line)).warn('sent Authorization: Bearer abc.def and api_key=xyz123', {
      authorization: 'Bearer abc.def',
      token: 'xyz123',
    });
    expect(lines[0]).not.toMatch(/abc\.def|xyz123/);
    expect(redact('token: "t0k3n"')).toBe('token: "[redacted]"');
  });

  it('drops lines below the configured level', () => {
    const lines: string[] = [];
    const logger = createLogger('warn', (line) => lines.push(line));
    logger.info('quiet');
    logger.error('loud');
    expect(lines.map((line) => (JSON.parse(line) as { message: string }).message)).toEqual(['loud']);
  });
});

describe('a provider error wrapped in more than one GraphQLError', () => {
  // graphql-js wraps what a resolver throws once; a GraphQLError made around an already located
  // error (a partial failure, a subscription's re-coded error) wraps it twice.
  const providerError = new ProviderRateLimitedError('trata rate limited conversations.list', {
    provider: 'TRATA',
    endpoint: 'conversations.list',
    httpStatus: 429,
    retryAfterMs: 1500,
  });
  const twice = new GraphQLError('outer', { path: ['conversations'], originalError: new GraphQLError('inner', { originalError: providerError }) });

  it('is formatted as the provider error it is, not as an internal one', () => {
    expect(formatGatewayError(twice.toJSON(), twice)).toEqual({
      message: 'trata rate limited conversations.list',
      locations: undefined,
      path: ['conversations'],
      extensions: { code: 'PROVIDER_RATE_LIMITED', provider: 'TRATA', endpoint: 'conversations.list', retryAfterSeconds: 2 },
    });
  });

  it('is not logged as a bug (provider failures are logged where they happen)', async () => {
    const lines: string[] = [];
    const server = new ApolloServer({
      typeDefs: 'type Query { limited: String }',
      resolvers: { Query: { limited: () => Promise.reject(new GraphQLError('inner', { originalError: providerError })) } },
      formatError: formatGatewayError,
      plugins: [errorLoggingPlugin(createLogger('debug', (line) => lines.push(line)))],
    });
    const response = await server.executeOperation({ query: '{ limited }' });
    expect(response.body.kind === 'single' && response.body.singleResult.errors?.map((error) => error.extensions?.code)).toEqual(['PROVIDER_RATE_LIMITED']);
    expect(lines).toEqual([]);
    await server.stop();
  });
});
