import { describe, expect, it } from 'vitest';
import { freeFormAt, keepFreeFormDigits, parseJsonKeepingDigits } from '../../src/providers/kit/boundedJson.ts';

const sites = freeFormAt('results', ['postCallMetadata'], ['agent', 'metadata']);

describe('keepFreeFormDigits', () => {
  it('keeps the digits of inexact numbers inside the free-form sites only; documented fields are left as parsed', () => {
    const text = '{"total":12345678901234567890,"results":[{"durationSeconds":12345678901234567890,"postCallMetadata":{"account":12345678901234567890,"ok":1},"agent":{"metadata":{"big":1e400}}},{"postCallMetadata":null},"not a record"]}';
    const body = keepFreeFormDigits(text, JSON.parse(text), sites);
    expect(body).toEqual({
      total: 12345678901234567000,
      results: [
        { durationSeconds: 12345678901234567000, postCallMetadata: { account: '12345678901234567890', ok: 1 }, agent: { metadata: { big: '1e400' } } },
        { postCallMetadata: null },
        'not a record',
      ],
    });
  });

  it('gives back the same parse, untouched, when no site holds an inexact number', () => {
    const text = '{"results":[{"postCallMetadata":{"account":9007199254740991,"rate":0.1}}],"total":12345678901234567890}';
    const parsed = JSON.parse(text) as unknown;
    expect(keepFreeFormDigits(text, parsed, sites)).toBe(parsed);
    expect(parsed).toEqual({ results: [{ postCallMetadata: { account: 9007199254740991, rate: 0.1 } }], total: 12345678901234567000 });
  });

  it('walks free-form JSON of any length: an array of 300,000 numbers overflowed the stack', () => {
    const long = Array.from({ length: 300_000 }, (_, index) => index);
    const text = JSON.stringify({ results: [{ postCallMetadata: { list: long } }] }).replace('"list":[0,', '"list":[12345678901234567890,');
    const body = keepFreeFormDigits(text, JSON.parse(text), sites) as { results: [{ postCallMetadata: { list: unknown[] } }] };
    expect(body.results[0].postCallMetadata.list.slice(0, 3)).toEqual(['12345678901234567890', 1, 2]);
    expect(body.results[0].postCallMetadata.list.length).toBe(300_000);
    expect(parseJsonKeepingDigits(JSON.stringify({ list: long }))).toEqual({ list: long });
  });

  it('reads a body that is one record with a null list key, and a body of the wrong shape as having no sites', () => {
    const one = freeFormAt(null, ['metadata']);
    const text = '{"id":"a","metadata":{"n":-9007199254740993}}';
    expect(keepFreeFormDigits(text, JSON.parse(text), one)).toEqual({ id: 'a', metadata: { n: '-9007199254740993' } });
    expect(sites([1, 2])).toEqual([]);
    expect(sites({ results: 'no' })).toEqual([]);
  });
});
