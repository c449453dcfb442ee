import type { RateLimitInfo } from './connector.ts';

type HeaderValue = string | string[] | undefined;
export type HeaderBag = Record<string, HeaderValue> | Headers;

/**
 * Reads every rate-limit dialect a provider may speak, in one place, in order of trust:
 * 1. `Retry-After` (seconds or an HTTP date);
 * 2. the IETF fields `RateLimit` / `RateLimit-Policy`, both the structured form
 *    (`"default";r=5;t=30` with `"default";q=20;w=60`) and the older `limit=20, remaining=5, reset=30`;
 * 3. `RateLimit-Limit` / `-Remaining` / `-Reset` (delta seconds);
 * 4. `X-RateLimit-Limit` / `-Remaining` / `-Reset`, where Reset may be delta seconds, a unix time
 *    (seconds or milliseconds) or an HTTP date.
 * A more trusted source wins field by field. Returns null when no header says anything.
 */
export function parseRateLimitHeaders(headers: HeaderBag, now: number = Date.now()): RateLimitInfo | null {
  // Every upstream answer passes through here (Oration's carry X-RateLimit-* on each one), so the
  // usual answer is read without a closure, a lowercased name or an object per dialect (issue 9).
  const sources: RateLimitInfo[] = [];

  const retryAfter = headerOf(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const ms = parseDelay(retryAfter, now, { unixTimes: false });
    if (ms !== undefined) sources.push({ retryAfterMs: ms });
  }

  const ietf = parseIetf(headerOf(headers, 'ratelimit'), headerOf(headers, 'ratelimit-policy'));
  if (ietf) sources.push(ietf);

  for (const dialect of COUNTER_DIALECTS) {
    const limit = parseCount(headerOf(headers, dialect.limit));
    const remaining = parseCount(headerOf(headers, dialect.remaining));
    const reset = headerOf(headers, dialect.reset);
    const resetMs = reset === undefined ? undefined : parseDelay(reset, now, { unixTimes: dialect.unixTimes });
    if (limit === undefined && remaining === undefined && resetMs === undefined) continue;
    const info: RateLimitInfo = {};
    if (limit !== undefined) info.limit = limit;
    if (remaining !== undefined) info.remaining = remaining;
    if (resetMs !== undefined) info.resetMs = resetMs;
    sources.push(info);
  }

  if (sources.length === 0) return null;
  const merged: RateLimitInfo = {};
  // Least trusted first, so that more trusted sources overwrite field by field.
  for (const source of sources.reverse()) Object.assign(merged, source);
  return merged;
}

/** The `-Limit`/`-Remaining`/`-Reset` dialects, more trusted first; only X-RateLimit-Reset may be a unix time. */
const COUNTER_DIALECTS = ['ratelimit-', 'x-ratelimit-'].map((prefix) => ({
  limit: `${prefix}limit`,
  remaining: `${prefix}remaining`,
  reset: `${prefix}reset`,
  unixTimes: prefix === 'x-ratelimit-',
}));

/** A header's (first) value; names here are lowercase, as undici and `Headers` give them. */
function headerOf(headers: HeaderBag, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\d+)/.exec(value);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Seconds, a unix time (when allowed), or an HTTP date, to milliseconds from now (never negative). */
function parseDelay(value: string, now: number, options: { unixTimes: boolean }): number | undefined {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    const n = Number(trimmed);
    if (options.unixTimes && n > 1e12) return Math.max(0, n - now); // unix milliseconds
    if (options.unixTimes && n > 1e9) return Math.max(0, n * 1000 - now); // unix seconds
    return Math.round(n * 1000);
  }
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseIetf(rateLimit: string | undefined, policy: string | undefined): RateLimitInfo | null {
  if (rateLimit === undefined && policy === undefined) return null;
  const info: RateLimitInfo = {};
  if (rateLimit !== undefined) {
    const params = parameters(rateLimit);
    const remaining = params.get('r') ?? params.get('remaining');
    const reset = params.get('t') ?? params.get('reset');
    const limit = params.get('limit');
    if (remaining !== undefined) info.remaining = remaining;
    if (reset !== undefined) info.resetMs = reset * 1000;
    if (limit !== undefined) info.limit = limit;
  }
  if (policy !== undefined) {
    const params = parameters(policy);
    // `"default";q=20;w=60` (structured) or `20;w=60` (older draft).
    const quota = params.get('q') ?? parseCount(policy);
    if (quota !== undefined) info.limit = quota;
  }
  return Object.keys(info).length > 0 ? info : null;
}

/** `key=value` numeric parameters of a (loosely) structured header field, first occurrence wins. */
function parameters(field: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const match of field.matchAll(/([a-z]+)\s*=\s*"?(\d+(?:\.\d+)?)"?/gi)) {
    const key = match[1]?.toLowerCase();
    const value = match[2];
    if (key !== undefined && value !== undefined && !result.has(key)) result.set(key, Number(value));
  }
  return result;
}
