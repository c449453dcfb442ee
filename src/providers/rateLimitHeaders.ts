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
  const get = (name: string): string | undefined => {
    if (headers instanceof Headers) return headers.get(name) ?? undefined;
    const value = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };

  const sources: RateLimitInfo[] = [];

  const retryAfter = get('retry-after');
  if (retryAfter !== undefined) {
    const ms = parseDelay(retryAfter, now, { unixTimes: false });
    if (ms !== undefined) sources.push({ retryAfterMs: ms });
  }

  const ietf = parseIetf(get('ratelimit'), get('ratelimit-policy'));
  if (ietf) sources.push(ietf);

  for (const prefix of ['ratelimit-', 'x-ratelimit-']) {
    const info: RateLimitInfo = {};
    const limit = parseCount(get(`${prefix}limit`));
    const remaining = parseCount(get(`${prefix}remaining`));
    const reset = get(`${prefix}reset`);
    if (limit !== undefined) info.limit = limit;
    if (remaining !== undefined) info.remaining = remaining;
    if (reset !== undefined) {
      const ms = parseDelay(reset, now, { unixTimes: prefix === 'x-ratelimit-' });
      if (ms !== undefined) info.resetMs = ms;
    }
    if (Object.keys(info).length > 0) sources.push(info);
  }

  if (sources.length === 0) return null;
  const merged: RateLimitInfo = {};
  // Least trusted first, so that more trusted sources overwrite field by field.
  for (const source of sources.reverse()) Object.assign(merged, source);
  return merged;
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
