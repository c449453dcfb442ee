import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../errors.ts';
import { readRequestBody } from '../http/readRequestBody.ts';
import { sendJson } from '../http/nodeHttpHandler.ts';
import { answeringForWorkspace } from '../observability/responseWorkspace.ts';
import { allowHeader, answeredOptions } from '../http/optionsAnswer.ts';
import { webhookErrorBody, type WebhookIntake } from './webhookIntake.ts';
import { unknownWebhookProviderMessage, webhookFormatOf, webhookProviderOf } from './providerWebhooks.ts';

/** Provider webhook bodies are small events; anything larger is not one. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

const PATH = /^\/webhooks\/([^/]+)\/([^/]+)$/;

/**
 * `POST /webhooks/<provider>/<endpoint token>` (VoiceOS: GET or POST, as its agents' webhooks
 * may be configured): the HTTP side of the webhook intake. Returns a request handler; the token
 * travels in the path because providers let one configure a URL and nothing else. The token is
 * never logged (the intake logs the provider and the workspace).
 */
export function createWebhookRoute(intake: WebhookIntake, options: { bodyIdleTimeoutMs: number }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const match = PATH.exec(path);
    if (!match) return sendJson(res, 404, webhookErrorBody(ErrorCode.NOT_FOUND, 'Expected /webhooks/<provider>/<endpoint token>'));
    const named = decodedSegment(match[1] ?? '');
    const token = decodedSegment(match[2] ?? '');
    if (named === null || token === null) {
      return sendJson(res, 400, webhookErrorBody(ErrorCode.BAD_REQUEST, 'Webhook path refused: a segment is not valid percent-encoding'));
    }
    const provider = webhookProviderOf(named);
    // Before the method: an unknown provider has no methods to allow, whatever the request's.
    if (provider === undefined) return sendJson(res, 404, webhookErrorBody(ErrorCode.NOT_FOUND, unknownWebhookProviderMessage(named)));
    const { methods } = webhookFormatOf(provider);
    if (answeredOptions(req, res, methods)) return;
    const method = methods.find((each) => each === (req.method ?? 'GET').toUpperCase());
    if (method === undefined) {
      res.setHeader('allow', allowHeader(methods));
      const message = methods.includes('GET') ? 'Webhooks come by GET or POST' : 'Webhooks are POSTed';
      return sendJson(res, 405, webhookErrorBody(ErrorCode.METHOD_NOT_ALLOWED, message));
    }
    let body = '';
    if (method === 'POST') {
      const read = await readRequestBody(req, { maxBytes: MAX_WEBHOOK_BODY_BYTES, idleTimeoutMs: options.bodyIdleTimeoutMs });
      if (read.kind === 'aborted') return void res.destroy();
      if (read.kind !== 'complete') return sendJson(res, read.kind === 'tooLarge' ? 413 : 408, webhookErrorBody(ErrorCode.BAD_REQUEST, 'Webhook body refused'));
      body = read.text;
    }
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(' ') : value;
    };
    const answer = await intake.handle({
      provider,
      token,
      method,
      query: queryAt === -1 ? '' : url.slice(queryAt + 1),
      headers: { id: header('webhook-id'), timestamp: header('webhook-timestamp'), signature: header('webhook-signature') },
      body,
    });
    if (answer.workspaceId !== undefined) answeringForWorkspace(res, answer.workspaceId);
    sendJson(res, answer.status, answer.body);
  };
}

/** A path segment decoded, or null when it is not valid percent-encoding (`%E0`, a lone `%`). */
function decodedSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
