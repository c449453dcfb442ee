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
  const names = Object.keys(authHeaders).sort();
  // JSON, so no two different sets of inputs can read as the same key.
  const inputs = JSON.stringify([baseUrl, ...names.flatMap((name) => [name, String(authHeaders[name])])]);
  let account = accountByInputs.get(inputs);
  if (account === undefined) {
    if (accountByInputs.size >= MAX_REMEMBERED_ACCOUNTS) accountByInputs.clear();
    account = digestAccount(baseUrl, names, authHeaders);
    accountByInputs.set(inputs, account);
  }
  return account;
}

/**
 * Digests already taken, by their inputs. Every GraphQL request builds its workspace's connectors
 * afresh (so their requests report to that request's observer), and three HMACs and URL parses a
 * request were a visible part of a small query's CPU (issue 9). The inputs are the workspace
 * configuration's own credentials, which the process holds anyway; the bound only matters if
 * configurations come and go, and forgetting merely costs a digest again.
 */
const accountByInputs = new Map<string, string>();
const MAX_REMEMBERED_ACCOUNTS = 1_000;

function digestAccount(baseUrl: string, names: readonly string[], authHeaders: Readonly<Record<string, string>>): string {
  const hmac = createHmac('sha256', PROCESS_KEY).update(new URL(baseUrl).origin);
  for (const name of names) {
    hmac.update(`\n${name.toLowerCase()}:${authHeaders[name]}`);
  }
  return hmac.digest('hex').slice(0, 32);
}
