import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../errors.ts';
import { errorBody } from '../http/errorBody.ts';
import { sendJson } from '../http/nodeHttpHandler.ts';
import { allowHeader, answeredOptions } from '../http/optionsAnswer.ts';
import { ExplorerBuildUnavailableError } from './buildExplorer.ts';
import type { ExplorerAssets } from './explorerAssets.ts';
import { EXPLORER_CONTENT_SECURITY_POLICY, EXPLORER_PATH, explorerPage, type ExplorerInitialState } from './explorerPage.ts';

export interface ExplorerRouteOptions {
  assets: ExplorerAssets;
  /** Where the page sends queries. @default '/graphql' */
  endpoint?: string;
  initialState?: ExplorerInitialState;
  /** Where build failures are reported. */
  onError?: (error: unknown) => void;
}

/** Whether a request path belongs to the explorer. */
export const isExplorerPath = (path: string): boolean => path === EXPLORER_PATH || path.startsWith(`${EXPLORER_PATH}/`);

/**
 * Serves the local GraphiQL at /graphiql and its bundle at /graphiql/assets/*. The page needs no
 * API key (it holds none but the demo's public one); every query it sends is authenticated as usual.
 */
export function explorerRoute(options: ExplorerRouteOptions) {
  const page = explorerPage(options.endpoint ?? '/graphql', options.initialState);
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') {
      res.setHeader('allow', allowHeader(['GET', 'HEAD']));
      return sendJson(res, 405, errorBody(ErrorCode.METHOD_NOT_ALLOWED, `${req.method} is not allowed on ${path}`));
    }
    if (path === EXPLORER_PATH || path === `${EXPLORER_PATH}/`) {
      if (answeredOptions(req, res, ['GET', 'HEAD'])) return;
      // The bundle starts building now, while the browser parses the page.
      void options.assets().catch(() => undefined);
      return send(res, req, 200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': EXPLORER_CONTENT_SECURITY_POLICY }, page);
    }
    const name = path.slice(`${EXPLORER_PATH}/assets/`.length);
    if (!path.startsWith(`${EXPLORER_PATH}/assets/`) || name.includes('/')) return notFound(res, path);
    let assets;
    try {
      assets = await options.assets();
    } catch (error) {
      options.onError?.(error);
      return sendJson(res, 503, errorBody(ErrorCode.EXPLORER_UNAVAILABLE, unavailableMessage(error)));
    }
    const asset = assets.get(name);
    if (!asset) return notFound(res, path);
    if (answeredOptions(req, res, ['GET', 'HEAD'])) return;
    return send(res, req, 200, { 'content-type': asset.contentType, 'cache-control': 'no-cache' }, asset.body);
  };
}

/**
 * Why the explorer is unavailable, as its user may read it: our own reason (esbuild absent and
 * nothing prebuilt) as it is; a failed bundle only by name, since esbuild's messages quote the
 * server's file paths. The log has the whole error (`onError`).
 */
function unavailableMessage(error: unknown): string {
  if (error instanceof ExplorerBuildUnavailableError) return `The explorer could not be built: ${error.message}`;
  return 'The explorer could not be built; the gateway\'s log says why';
}

function send(res: ServerResponse, req: IncomingMessage, status: number, headers: Record<string, string>, body: string | Uint8Array): void {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)), 'x-content-type-options': 'nosniff' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function notFound(res: ServerResponse, path: string): void {
  sendJson(res, 404, errorBody(ErrorCode.NOT_FOUND, `Not found: ${path}. GraphiQL is at ${EXPLORER_PATH}.`));
}
