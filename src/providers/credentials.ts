import { z } from 'zod';
import type { ProviderTransport } from './kit/createUpstreamClient.ts';

/** Oration authenticates every request with two headers: `x-api-key` and `x-workspace-id`. */
export const orationCredentialsSchema = z.object({
  apiKey: z.string().min(1),
  workspaceId: z.string().min(1),
});
export type OrationCredentials = z.infer<typeof orationCredentialsSchema>;

/** Trata: `Authorization: Bearer <token>`. */
export const trataCredentialsSchema = z.object({ token: z.string().min(1) });
export type TrataCredentials = z.infer<typeof trataCredentialsSchema>;

/** VoiceOS: `Authorization: Bearer <token>`. */
export const voiceOsCredentialsSchema = z.object({ token: z.string().min(1) });
export type VoiceOsCredentials = z.infer<typeof voiceOsCredentialsSchema>;

/** Everything a connector factory needs: where, whose account, and the provider's shared transport. */
export interface ConnectorOptions<C> {
  baseUrl: string;
  credentials: C;
  transport: ProviderTransport;
  /** Whole-request timeout in milliseconds. @default 10000 */
  timeoutMs?: number;
}
