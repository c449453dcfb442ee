import { describe, expect, it } from 'vitest';
import { parseRateLimitHeaders } from '../../src/providers/rateLimitHeaders.ts';

const NOW = Date.parse('2026-11-21T12:00:00Z');

describe('parseRateLimitHeaders', () => {
  it('returns null when no header speaks of limits', () => {
    expect(parseRateLimitHeaders({ 'content-type': 'application/json' }, NOW)).toBeNull();
  });

  it('reads Retry-After as seconds and as an HTTP date', () => {
    expect(parseRateLimitHeaders({ 'retry-after': '3' }, NOW)).toEqual({ retryAfterMs: 3000 });
    expect(parseRateLimitHeaders({ 'retry-after': 'Sat, 21 Nov 2026 12:00:05 GMT' }, NOW)).toEqual({ retryAfterMs: 5000 });
    expect(parseRateLimitHeaders({ 'retry-after': 'Sat, 21 Nov 2026 11:00:00 GMT' }, NOW)).toEqual({ retryAfterMs: 0 });
  });

  it('reads the structured IETF fields and the older draft', () => {
    expect(parseRateLimitHeaders({ ratelimit: '"concurrency";r=4;t=2', 'ratelimit-policy': '"concurrency";q=20;w=60' }, NOW)).toEqual({
      limit: 20,
      remaining: 4,
      resetMs: 2000,
    });
    expect(parseRateLimitHeaders({ ratelimit: 'limit=20, remaining=5, reset=30' }, NOW)).toEqual({
      limit: 20,
      remaining: 5,
      resetMs: 30_000,
    });
    expect(parseRateLimitHeaders({ 'ratelimit-policy': '10;w=60' }, NOW)).toEqual({ limit: 10 });
  });

  it('reads RateLimit-* as delta seconds and X-RateLimit-Reset as seconds, unix seconds, unix ms or a date', () => {
    expect(parseRateLimitHeaders({ 'ratelimit-limit': '20', 'ratelimit-remaining': '0', 'ratelimit-reset': '7' }, NOW)).toEqual({
      limit: 20,
      remaining: 0,
      resetMs: 7000,
    });
    const reset = (value: string) => parseRateLimitHeaders({ 'x-ratelimit-reset': value }, NOW)?.resetMs;
    expect(reset('12')).toBe(12_000);
    expect(reset(String(NOW / 1000 + 9))).toBe(9000);
    expect(reset(String(NOW + 4000))).toBe(4000);
    expect(reset('Sat, 21 Nov 2026 12:00:02 GMT')).toBe(2000);
  });

  it('lets the more trusted source win field by field', () => {
    const info = parseRateLimitHeaders(
      {
        'retry-after': '2',
        ratelimit: 'limit=10, remaining=1, reset=5',
        'ratelimit-remaining': '3',
        'x-ratelimit-limit': '20',
        'x-ratelimit-remaining': '8',
        'x-ratelimit-reset': '60',
      },
      NOW,
    );
    expect(info).toEqual({ retryAfterMs: 2000, limit: 10, remaining: 1, resetMs: 5000 });
  });

  it('accepts a Fetch Headers object and repeated headers', () => {
    expect(parseRateLimitHeaders(new Headers({ 'X-RateLimit-Remaining': '6' }), NOW)).toEqual({ remaining: 6 });
    expect(parseRateLimitHeaders({ 'x-ratelimit-remaining': ['6', '7'] }, NOW)).toEqual({ remaining: 6 });
  });
});
