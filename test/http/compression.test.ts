import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPRESSION_MIN_BYTES, negotiateEncoding } from '../../src/http/compression.ts';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';
import { exchange } from './httpExchange.ts';

// Issue 12, part 2: responses were never compressed, whatever the client accepted.

const PAGE = JSON.stringify({ query: '{ conversations(first: 20) { edges { node { id provider status createdAt agent { name } } } } }' });
const SMALL = JSON.stringify({ query: '{ __typename }' });

describe('response compression', () => {
  let gateway: TestGateway;
  let identity: Buffer;
  beforeAll(async () => {
    gateway = await startTestGateway();
    identity = (await post(PAGE)).body;
  });
  afterAll(async () => {
    await gateway?.close();
  });

  function post(body: string, acceptEncoding?: string) {
    return exchange(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-key', ...(acceptEncoding && { 'accept-encoding': acceptEncoding }) },
      body,
    });
  }

  it('sends a large answer as it is when the client asks for no encoding', async () => {
    const answer = await post(PAGE);
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(identity.length).toBeGreaterThan(COMPRESSION_MIN_BYTES);
    expect(answer.headers['content-length']).toBe(String(identity.length));
    expect((JSON.parse(identity.toString('utf8')) as { data: { conversations: { edges: unknown[] } } }).data.conversations.edges).toHaveLength(20);
  });

  it('compresses it with brotli when accepted, the same answer in fewer bytes', async () => {
    const answer = await post(PAGE, 'gzip, deflate, br');
    expect(answer.headers['content-encoding']).toBe('br');
    expect(answer.headers.vary).toContain('Accept-Encoding');
    expect(answer.headers['content-length']).toBe(String(answer.body.length));
    expect(answer.body.length).toBeLessThan(identity.length / 3);
    expect(brotliDecompressSync(answer.body).equals(identity)).toBe(true);
  });

  it('compresses it with gzip when the client prefers or only takes gzip', async () => {
    for (const accept of ['gzip', 'br;q=0.5, gzip;q=1']) {
      const answer = await post(PAGE, accept);
      expect(answer.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(answer.body).equals(identity)).toBe(true);
    }
  });

  it('leaves an answer under the threshold uncompressed', async () => {
    const answer = await post(SMALL, 'br, gzip');
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.body.toString('utf8')).toBe('{"data":{"__typename":"Query"}}\n');
  });
});

describe('negotiateEncoding', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['identity', null],
    ['deflate', null],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, br', 'br'],
    ['br;q=0.2, gzip;q=0.8', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0, br;q=0', null],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['GZIP; Q=0.9', 'gzip'],
  ])('Accept-Encoding %j -> %j', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});
