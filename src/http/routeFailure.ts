import type { ServerResponse } from 'node:http';
import { ErrorCode, ROUTE_STORE_UNAVAILABLE_MESSAGE, storeWasUnavailable } from '../errors.ts';
import { sendJson } from './nodeHttpHandler.ts';

/** Seconds a client waits before retrying when the store was out of reach: the store's process starts again on the next statement. */
const STORE_RETRY_AFTER_SECONDS = 1;

/**
 * Answers a failure an HTTP route did not expect: 503 `STORE_UNAVAILABLE` with `Retry-After` when
 * the store was out of reach (a retry may get past it), else 500 `INTERNAL_SERVER_ERROR`; never
 * the error's own words. A response already started is cut off instead. `shape` writes the body:
 * GraphQL's error shape, or the webhook routes' own. `report` is told of every failure but the
 * store's absence (which the store's own checks report), so the log holds what the 500 does not say:
 * a route's 500 left only its access line (an outside trial).
 */
export function answerRouteFailure(
  res: ServerResponse,
  error: unknown,
  shape: (code: ErrorCode, message: string) => unknown,
  report?: (error: unknown) => void,
): void {
  const storeAway = storeWasUnavailable(error);
  if (!storeAway) report?.(error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (storeAway) {
    res.setHeader('retry-after', String(STORE_RETRY_AFTER_SECONDS));
    sendJson(res, 503, shape(ErrorCode.STORE_UNAVAILABLE, ROUTE_STORE_UNAVAILABLE_MESSAGE));
    return;
  }
  sendJson(res, 500, shape(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error'));
}
