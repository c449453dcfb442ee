import type { Provider } from '../domain/types.ts';
import { ErrorCode } from '../errors.ts';
import type { FanoutService } from '../fanout/fanoutService.ts';
import { readConversation } from '../fanout/conversationOutcome.ts';
import type { ChangeWriter } from '../feed/changeWriter.ts';
import type { Logger } from '../logger.ts';
import type { Database } from '../store/database.ts';
import { recordWebhookDelivery, webhookDeliverySeen, workspaceOfWebhookToken } from '../store/queries/webhooks.ts';
import type { Workspace, WorkspaceRegistry } from '../workspaces/workspaceRegistry.ts';
import { verifyStandardWebhook } from './standardWebhooks.ts';
import { deliveryIdOf, isEndEvent } from './webhookEvent.ts';
import type { WebhookMethod } from '../providers/webhookRequest.ts';
import { webhookFormatOf } from './providerWebhooks.ts';

export interface WebhookIntakeOptions {
  database: Database;
  registry: WorkspaceRegistry;
  writer: ChangeWriter;
  fanout: FanoutService;
  /** A workspace's Standard Webhooks signing secret for a provider, when one is configured. */
  signingSecretOf: (workspaceId: string, provider: Provider) => string | undefined;
  logger?: Logger;
  /** Unix seconds, for the signature's timestamp tolerance. @default Date.now()/1000 */
  nowSeconds?: () => number;
}

export interface WebhookDelivery {
  /** Resolved from the path by the route, which answers an unknown provider's 404 itself. */
  provider: Provider;
  token: string;
  /** One of the provider's methods (`providerWebhooks.ts`); the route refuses the others. */
  method: WebhookMethod;
  /** The raw query string, without `?`: a GET delivery's fields. */
  query: string;
  headers: { id?: string | undefined; timestamp?: string | undefined; signature?: string | undefined };
  /** Empty for a GET. */
  body: string;
}

export interface WebhookAnswer {
  status: number;
  body: { ok: boolean; duplicate?: boolean; error?: { code: ErrorCode; message: string } };
  /** The workspace the endpoint token named, once known: the route's access line names it. */
  workspaceId?: string;
}

/** A webhook route's error answer, one shape for every refusal and failure: `{ ok: false, error: { code, message } }`. */
export function webhookErrorBody(code: ErrorCode, message: string): WebhookAnswer['body'] {
  return { ok: false, error: { code, message } };
}

const refused = (status: number, code: ErrorCode, message: string): WebhookAnswer => ({ status, body: webhookErrorBody(code, message) });

/**
 * Takes provider webhooks in: authenticates the delivery (endpoint token, then the signature when
 * a secret is configured), processes it once, and answers. Processing: an end event frees the
 * fan-out slot of the conversation (never requeues or resends anything); then the conversation is
 * read from the provider (a conversation the store has not seen is fetched the same way) and
 * written through the change writer, which notifies subscribers. The delivery is recorded after
 * processing, so a delivery that failed half-way is processed again when the provider retries;
 * processing is idempotent, so a retry (or a duplicate racing on another replica) changes nothing twice.
 */
export class WebhookIntake {
  readonly #options: WebhookIntakeOptions;

  constructor(options: WebhookIntakeOptions) {
    this.#options = options;
  }

  signatureRequired(workspaceId: string, provider: Provider): boolean {
    return this.#options.signingSecretOf(workspaceId, provider) !== undefined;
  }

  async handle(delivery: WebhookDelivery): Promise<WebhookAnswer> {
    const { database, registry, logger } = this.#options;
    const { provider } = delivery;

    const workspaceId = delivery.token.length > 0 && delivery.token.length <= 200 ? await workspaceOfWebhookToken(database, delivery.token) : null;
    const workspace = workspaceId === null ? null : registry.get(workspaceId);
    if (!workspace) {
      logger?.warn('webhook refused: unknown endpoint token', { provider });
      return refused(401, ErrorCode.UNAUTHENTICATED, 'Unknown webhook endpoint');
    }
    return { ...(await this.#handleFor(workspace, delivery)), workspaceId: workspace.id };
  }

  /** A delivery whose endpoint token named `workspace`: its signature checked, then processed once. */
  async #handleFor(workspace: Workspace, delivery: WebhookDelivery): Promise<WebhookAnswer> {
    const { database, logger } = this.#options;
    const { provider } = delivery;
    const connector = workspace.connectors.get(provider);
    if (!connector) return refused(404, ErrorCode.NOT_FOUND, `Workspace has no ${provider} account`);

    const secret = this.#options.signingSecretOf(workspace.id, provider);
    if (secret !== undefined && delivery.method === 'GET') {
      // Standard Webhooks signs the body; a GET's fields ride in the query, which no signature covers.
      logger?.warn('webhook refused: a GET delivery cannot be signed', { provider, workspace: workspace.id });
      return refused(401, ErrorCode.UNAUTHENTICATED, 'Webhook signature refused: signed deliveries must be POSTed (a GET has no body to sign)');
    }
    if (secret !== undefined) {
      const now = this.#options.nowSeconds?.() ?? Math.floor(Date.now() / 1000);
      const check = verifyStandardWebhook(secret, { id: delivery.headers.id, timestamp: delivery.headers.timestamp, signature: delivery.headers.signature }, delivery.body, now);
      if (!check.ok) {
        logger?.warn('webhook refused: bad signature', { provider, workspace: workspace.id, reason: check.reason });
        return refused(401, ErrorCode.UNAUTHENTICATED, `Webhook signature refused: ${check.reason}`);
      }
    }

    const isGet = delivery.method === 'GET';
    const parsed = webhookFormatOf(provider).parse({ method: delivery.method, query: delivery.query, body: delivery.body });
    if (!parsed.ok) return refused(400, ErrorCode.BAD_USER_INPUT, `Webhook ${isGet ? 'query' : 'body'} refused: ${parsed.reason}`);
    const { event } = parsed;
    // A GET's fields are its query: that is what tells two of its deliveries apart.
    const key = { workspaceId: workspace.id, provider, deliveryId: deliveryIdOf(delivery.headers.id, isGet ? delivery.query : delivery.body) };
    if (await webhookDeliverySeen(database, key)) return { status: 200, body: { ok: true, duplicate: true } };

    const nativeId = event.conversationNativeId;
    if (nativeId !== null) {
      let conversation = null;
      try {
        [conversation = null] = await connector.getConversations([nativeId]);
      } catch (error) {
        // The provider is briefly away: an end is still an end; the record follows with the next sync.
        logger?.warn('webhook: could not read the conversation', { provider, workspace: workspace.id, error: error instanceof Error ? error.message : String(error) });
      }
      // A conversation whose status or end breaks the provider's contract is told by the event's
      // type alone (the writer refuses its record): read unguarded, it answered 500 and was lost.
      const read = conversation && readConversation(conversation);
      if (read ? read.ended : isEndEvent(event.type)) {
        const batchId = await this.#options.fanout.recordConversationEnded(workspace.id, provider, nativeId, {
          status: read?.status ?? null,
          statusRaw: read?.statusRaw ?? null,
          endedAt: read?.conversationEndedAt ?? null,
        });
        if (batchId) await this.#options.writer.batchesChanged(workspace.id, [batchId]);
      }
      if (conversation) await this.#options.writer.writeConversations(workspace.id, provider, [conversation]);
    }
    const first = await recordWebhookDelivery(database, { ...key, eventType: event.type, conversationNativeId: nativeId }, new Date());
    return { status: 200, body: first ? { ok: true } : { ok: true, duplicate: true } };
  }
}
