import { createHmac, randomBytes } from 'node:crypto';

/** Keys the digests below; fresh per process, so a digest means nothing outside it. */
const PROCESS_KEY = randomBytes(32);

/**
 * Names the provider account behind a set of credentials, for the fair share of a provider's
 * concurrency (`ConcurrencyLimiter`): the API's origin plus the headers that authenticate, which
 * is exactly what the provider itself tells callers apart by. Gateway workspaces configured with
 * the same credentials are one account to the provider (one rate limit, one budget) and share one
 * line; different credentials are different lines.
 *
 * The result is a keyed digest, never the secret: it may sit in memory, maps and logs.
 */
export function upstreamAccountOf(baseUrl: string, authHeaders: Readonly<Record<string, string>>): string {
  const hmac = createHmac('sha256', PROCESS_KEY).update(new URL(baseUrl).origin);
  for (const name of Object.keys(authHeaders).sort()) {
    hmac.update(`\n${name.toLowerCase()}:${authHeaders[name]}`);
  }
  return hmac.digest('hex').slice(0, 32);
}
