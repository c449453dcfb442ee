/**
 * A webhook delivery as the HTTP route hands it over, before any provider's reading. Here, not in
 * `src/sync`, because connectors read their own deliveries (`voiceos/hookDelivery.ts`) and the
 * sync imports those connectors: both import this.
 */
export type WebhookMethod = 'GET' | 'POST';

export interface WebhookRequest {
  method: WebhookMethod;
  /** The raw query string, without `?`. */
  query: string;
  /** Empty for a GET. */
  body: string;
}
