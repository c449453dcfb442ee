import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a delivery's `webhook-timestamp` may be from now, either way (Standard Webhooks: 5 minutes). */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * The key of a Standard Webhooks signing secret: `whsec_` + base64 of the key bytes. A secret
 * without the prefix is taken as the key's base64 alone.
 */
export function signingKeyOf(secret: string): Buffer {
  const base64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  return Buffer.from(base64, 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`: what a sender puts in `webhook-signature`. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', signingKeyOf(secret)).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/**
 * Verifies a delivery the Standard Webhooks way (https://www.standardwebhooks.com): the three
 * headers present, the timestamp within the tolerance (an old delivery replayed is refused even
 * with a valid signature), and one of the space-separated `v1,` signatures equal to the HMAC of
 * `id.timestamp.body`, compared in constant time. Reasons never include the secret or a signature.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: { id: string | undefined; timestamp: string | undefined; signature: string | undefined },
  body: string,
  nowSeconds: number,
): SignatureCheck {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'webhook-timestamp is not a unix time in seconds' };
  const sentAt = Number(timestamp);
  if (Math.abs(nowSeconds - sentAt) > WEBHOOK_TOLERANCE_SECONDS) {
    return { ok: false, reason: `webhook-timestamp is more than ${WEBHOOK_TOLERANCE_SECONDS} s from now (replayed or clock skew)` };
  }
  const expected = Buffer.from(signWebhook(secret, id, sentAt, body).slice('v1,'.length), 'base64');
  for (const candidate of signature.split(' ')) {
    const [version, mac] = candidate.split(',', 2);
    if (version !== 'v1' || !mac) continue;
    const given = Buffer.from(mac, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'no webhook-signature matches' };
}
