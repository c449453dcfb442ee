import { z } from 'zod';

/**
 * A secret or id sent in an HTTP header (a provider credential, a workspace's API key): printable
 * ASCII without spaces. Anything else was taken at start-up and then refused by the HTTP client
 * on every call, reported as the provider being unreachable (a new-user trial).
 */
export const headerCredential = z
  .string()
  .min(1)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it is sent in an HTTP header)');

/**
 * A provider API's base URL: http or https only. Any URL was taken (`ftp://`, `file:///…`, the typo
 * `htps://`), started, and then every call failed as the provider being unreachable and opened its
 * breaker (an operator trial).
 */
export const providerBaseUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

/**
 * A workspace: the gateway's own tenant. Its API keys authenticate callers; its provider accounts
 * (credentials and base URLs) are what its queries and mutations use. One workspace never sees
 * another's provider accounts, batches or data.
 */
const orationAccountSchema = z.strictObject({
  baseUrl: providerBaseUrl,
  apiKey: headerCredential,
  workspaceId: headerCredential,
  /** Concurrent active or dialing conversations the account allows. @default 20 */
  concurrencyLimit: z.number().int().positive().max(10_000).default(20),
});

const bearerAccountSchema = z.strictObject({
  baseUrl: providerBaseUrl,
  token: headerCredential,
});

export const workspaceConfigSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, "-" and "_", at most 63'),
  name: z.string().min(1).optional(),
  /** At least 16 characters each, except in demo mode, which documents its own short key. */
  apiKeys: z.array(headerCredential).min(1),
  providers: z.strictObject({
    oration: orationAccountSchema.optional(),
    trata: bearerAccountSchema.optional(),
    voiceos: bearerAccountSchema.optional(),
  }),
  /**
   * Standard Webhooks signing secrets (`whsec_…`) per provider: when set, that provider's
   * deliveries must carry a valid `webhook-signature` besides the endpoint token. See docs/live.md.
   */
  webhooks: z
    .strictObject({
      signingSecrets: z.strictObject({
        oration: z.string().min(8).optional(),
        trata: z.string().min(8).optional(),
        voiceos: z.string().min(8).optional(),
      }),
    })
    .optional(),
});

export const workspacesFileSchema = z.strictObject({
  workspaces: z.array(workspaceConfigSchema).min(1),
});

export type WorkspaceConfig = z.infer<typeof workspaceConfigSchema>;
export type OrationAccountConfig = z.infer<typeof orationAccountSchema>;
export type BearerAccountConfig = z.infer<typeof bearerAccountSchema>;
