import { describe, expect, it } from 'vitest';
import { readApiKey } from '../../src/context.ts';

/** One reader for both sources: a request's headers and a WebSocket's connection_init payload. */
describe('readApiKey', () => {
  it('reads the same key from headers and from a connection_init payload', () => {
    expect(readApiKey({ authorization: 'Bearer k1' })).toEqual({ kind: 'key', key: 'k1' });
    expect(readApiKey({ 'x-api-key': 'k1' })).toEqual({ kind: 'key', key: 'k1' });
    expect(readApiKey({ authorization: 'bearer  k1 ', 'x-api-key': 'k1' })).toEqual({ kind: 'key', key: 'k1' });
    expect(readApiKey({ authorization: 'Bearer k1', 'x-api-key': '' })).toEqual({ kind: 'key', key: 'k1' });
    // Payload spellings a header cannot have (node lower-cases header names).
    expect(readApiKey({ Authorization: 'Bearer k1' })).toEqual({ kind: 'key', key: 'k1' });
    expect(readApiKey({ apiKey: 'k1' })).toEqual({ kind: 'key', key: 'k1' });
  });

  it('reads no key from nothing, a malformed Authorization (even beside x-api-key), or values that are not strings', () => {
    expect(readApiKey(undefined)).toEqual({ kind: 'none' });
    expect(readApiKey({})).toEqual({ kind: 'none' });
    expect(readApiKey({ authorization: 'Basic k1', 'x-api-key': 'k1' })).toEqual({ kind: 'none' });
    expect(readApiKey({ 'x-api-key': ['k1', 'k2'] })).toEqual({ kind: 'none' });
    expect(readApiKey({ apiKey: 7 })).toEqual({ kind: 'none' });
  });

  it('reads two different keys as conflicting, whichever two carry them', () => {
    expect(readApiKey({ authorization: 'Bearer k1', 'x-api-key': 'k2' })).toEqual({ kind: 'conflicting' });
    expect(readApiKey({ 'x-api-key': 'k1', apiKey: 'k2' })).toEqual({ kind: 'conflicting' });
  });
});
