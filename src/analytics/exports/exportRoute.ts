import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { stringify } from 'csv-stringify/sync';
import { spreadsheetSafe } from './spreadsheetSafe.ts';
import type { ApiKeyReading } from '../../context.ts';
import { BadUserInputError, ErrorCode } from '../../errors.ts';
import { errorBody } from '../../http/errorBody.ts';
import { sendJson } from '../../http/nodeHttpHandler.ts';
import { answerRouteFailure } from '../../http/routeFailure.ts';
import { allowHeader, answeredOptions } from '../../http/optionsAnswer.ts';
import { rateLimitMessage, type WorkspaceRateLimit } from '../../limits/workspaceRateLimit.ts';
import { requestIdAnswered } from '../../observability/requestId.ts';
import { answeringForWorkspace } from '../../observability/responseWorkspace.ts';
import type { Database } from '../../store/database.ts';
import type { WorkspaceRegistry } from '../../workspaces/workspaceRegistry.ts';
import { filterConditions } from '../analyticsFilter.ts';
import { readChangeWatermark } from './changeWatermark.ts';
import { EXPORT_SPECS, type ExportKind } from './exportKinds.ts';
import { EXPORT_CONTENT_TYPES, ExportRequestError, exportOfPath, isExportPath, parseExportRequest, type ExportRequest } from './exportRequest.ts';
import { EXPORT_RETRY_AFTER_SECONDS, ExportSlots, resolveExportLimits, type ExportLimits, type ExportRefusal } from './exportSlots.ts';
import { storeRowSource } from './storeRowStream.ts';
import { WATERMARK_HEADER } from './watermarkHeader.ts';

export { WATERMARK_HEADER };

/** How an export can end (`ExportOutcome.outcome`). */
export const EXPORT_OUTCOMES = ['complete', 'aborted', 'stalled', 'failed'] as const;

/** An export that took a slot and starts: its end follows, once. */
export interface ExportStart {
  kind: ExportKind;
  /** The workspace's id, named as the access line names it (`workspace`), so one log query finds both. */
  workspace: string;
}

export interface ExportOutcome {
  kind: ExportKind;
  /** The workspace's id, named as the access line names it. */
  workspace: string;
  /** The request's id, as its access line gives it; absent without observability. */
  requestId?: string;
  rows: number;
  /**
   * `aborted`: the client went away and the query was stopped. `stalled`: the client took nothing
   * for `stallTimeoutMs` while output waited for it, so the gateway stopped the query and closed the connection.
   * `failed`: the store failed, before the first rows (answered 500, or 503 when it was out of reach) or during them (the connection closed).
   * A HEAD request, which reads only the watermark, is `complete` with no rows.
   */
  outcome: (typeof EXPORT_OUTCOMES)[number];
  /** With `stalled`: the timeout that ran out. */
  stallTimeoutMs?: number;
}

/** An export not started because the replica (503) or the workspace (429) has all the exports it may run. */
export interface ExportRefused extends ExportRefusal {
  /** The workspace's id, named as the access line names it. */
  workspace: string;
  /** The request's id, as its access line gives it; absent without observability. */
  requestId?: string;
}

/** What the logs and the metrics are told of the exports' slots. */
export interface ExportHooks {
  /** Told when an export takes a slot, before it touches the store. */
  onExportStart?: (start: ExportStart) => void;
  /** Told once when each export that took a slot ends, however it ends, as the slot is given back. */
  onExportEnd?: (outcome: ExportOutcome) => void;
  /** Told when an export is refused for capacity. */
  onExportRefused?: (refused: ExportRefused) => void;
}

export interface ExportRoutesOptions extends ExportHooks {
  database: Database;
  registry: WorkspaceRegistry;
  /** Requests per workspace on this replica; an export counts one. None when absent. */
  rateLimit?: WorkspaceRateLimit;
  /** Exports at once and the stall timeout; unset ones at their defaults (from the database's pool size). */
  limits?: Partial<ExportLimits>;
  /** Told of a failure answered 500 (the log's record of what the answer does not say). */
  onUnexpectedError?: (error: unknown) => void;
}

interface ExportRouteState extends ExportRoutesOptions {
  limits: ExportLimits;
  slots: ExportSlots;
}

/**
 * `GET /exports/conversations`, `/exports/cost-lines`, `/exports/transcript-messages`: the
 * workspace's synced records as CSV or NDJSON, streamed from a store cursor (docs/bi.md). The same
 * API keys as GraphQL choose the workspace, and every row read is that workspace's.
 */
export function createExportRoutes(routeOptions: ExportRoutesOptions) {
  const limits = resolveExportLimits(routeOptions.limits, routeOptions.database.poolStats?.().max);
  const options: ExportRouteState = { ...routeOptions, limits, slots: new ExportSlots(limits) };
  return {
    /** The limits in force and the exports running now (tests, metrics). */
    limits,
    slots: options.slots,
    /** Serves `/exports/...` with the request's API key (read by the router); returns false for any other path. */
    handle(req: IncomingMessage, res: ServerResponse, apiKey: ApiKeyReading): boolean {
      const url = new URL(req.url ?? '/', 'http://gateway');
      if (!isExportPath(url.pathname)) return false;
      serveExport(options, req, res, url, apiKey).catch((error: unknown) => answerRouteFailure(res, error, errorBody, options.onUnexpectedError));
      return true;
    },
  };
}

/** A refusal names the parameter at fault, when there is one, even the empty name (`?=x`). */
const parameterOf = (parameter: string | null) => (parameter === null ? {} : { parameter });

async function serveExport(options: ExportRouteState, req: IncomingMessage, res: ServerResponse, url: URL, apiKey: ApiKeyReading): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'OPTIONS') {
    const named = exportOfPath(url.pathname);
    if (named instanceof ExportRequestError) return sendJson(res, 404, errorBody(ErrorCode.NOT_FOUND, named.message));
    return void answeredOptions(req, res, ['GET', 'HEAD']);
  }
  if (method !== 'GET' && method !== 'HEAD') {
    res.setHeader('allow', allowHeader(['GET', 'HEAD']));
    return sendJson(res, 405, errorBody(ErrorCode.METHOD_NOT_ALLOWED, 'Exports are read with GET'));
  }
  const workspace = apiKey.kind === 'key' ? options.registry.authenticate(apiKey.key) : null;
  if (!workspace) return sendJson(res, 401, errorBody(ErrorCode.UNAUTHENTICATED, 'Missing or invalid API key. Send `Authorization: Bearer <key>` or `x-api-key: <key>`.'));
  answeringForWorkspace(res, workspace.id);
  const overLimit = await options.rateLimit?.admit(workspace.id, 'export');
  if (overLimit) {
    res.setHeader('retry-after', String(overLimit.retryAfterSeconds));
    return sendJson(res, 429, errorBody(ErrorCode.RATE_LIMITED, rateLimitMessage(overLimit), { ...overLimit }));
  }

  let request: ExportRequest;
  const params: unknown[] = [workspace.id];
  const where = ['r.workspace_id = $1', `r.kind = 'Conversation'`];
  try {
    request = parseExportRequest(url.pathname, url.searchParams, req.headers.accept);
    where.push(...filterConditions(request.filter, params));
  } catch (error) {
    if (error instanceof ExportRequestError) return sendJson(res, error.status, errorBody(error.status === 404 ? ErrorCode.NOT_FOUND : error.status === 406 ? ErrorCode.NOT_ACCEPTABLE : ErrorCode.BAD_USER_INPUT, error.message, parameterOf(error.parameter)));
    if (error instanceof BadUserInputError) return sendJson(res, 400, errorBody(ErrorCode.BAD_USER_INPUT, error.message, parameterOf(error.extensions.field === undefined ? null : String(error.extensions.field))));
    throw error;
  }

  // Taken before the store is touched (the watermark's read included), held until the export ends however it ends.
  const slot = options.slots.tryAcquire(workspace.id);
  const requestId = requestIdAnswered(res);
  const joinsAccessLine = requestId === null ? {} : { requestId };
  if (!('release' in slot)) {
    options.onExportRefused?.({ workspace: workspace.id, ...joinsAccessLine, ...slot });
    const [status, message] =
      slot.limit === 'workspace'
        ? [429, `This workspace already runs ${slot.max} exports at once, its most on this replica; retry when one has finished`]
        : [503, `This replica already runs ${slot.max} exports at once, its most; retry shortly`];
    res.setHeader('retry-after', String(EXPORT_RETRY_AFTER_SECONDS));
    return sendJson(res, status, errorBody(ErrorCode.TOO_MANY_EXPORTS, message, { ...slot, retryAfterSeconds: EXPORT_RETRY_AFTER_SECONDS }));
  }
  // The start is reported as the slot is taken and the end where it is given back, so every export
  // that took one reports exactly one of each (a count of running exports cannot drift): a store
  // that fails before the first byte (the watermark's read) is a failed export too.
  options.onExportStart?.({ kind: request.kind, workspace: workspace.id });
  let end: ExportOutcome = { kind: request.kind, workspace: workspace.id, rows: 0, outcome: 'failed' };
  try {
    end = await streamExport(options, req, res, method, workspace.id, request, params, where);
  } finally {
    slot.release();
    options.onExportEnd?.({ ...end, ...joinsAccessLine });
  }
}

async function streamExport(
  options: ExportRouteState,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  workspaceId: string,
  request: ExportRequest,
  params: unknown[],
  where: string[],
): Promise<ExportOutcome> {
  const watermark = await readChangeWatermark(options.database);
  params.push(watermark.toString());
  where.push(`r.change_seq <= $${params.length}::bigint`);
  if (request.updatedSince && 'seq' in request.updatedSince) {
    params.push(request.updatedSince.seq.toString());
    where.push(`r.change_seq > $${params.length}::bigint`);
  } else if (request.updatedSince) {
    params.push(request.updatedSince.at);
    where.push(`r.synced_at > $${params.length}::timestamptz`);
  }

  const spec = EXPORT_SPECS[request.kind];
  const gzip = acceptsGzip(req.headers['accept-encoding']);
  // Added to what is there, not set: `writeHead`'s headers replace same-named ones, and this
  // replaced the CORS policy's `Vary: Origin` on every answered export (an operator trial).
  res.appendHeader('vary', ['Accept', 'Accept-Encoding']);
  const headers = {
    'content-type': EXPORT_CONTENT_TYPES[request.format],
    'content-disposition': `attachment; filename="${request.kind}.${request.format}"`,
    'cache-control': 'no-store',
    [WATERMARK_HEADER]: watermark.toString(),
    ...(gzip && { 'content-encoding': 'gzip' }),
  };
  if (method === 'HEAD') {
    res.writeHead(200, headers);
    res.end();
    return { kind: request.kind, workspace: workspaceId, rows: 0, outcome: 'complete' };
  }

  // Each batch becomes one chunk of text at once (csv-stringify's sync API), so the batch's row
  // objects die young: kept across the wait for the socket, they would be promoted to V8's old
  // space and the process's memory would grow with the export's size before a full GC.
  // RFC 4180 lines end in CRLF, and a cell holding any line break is quoted: csv-stringify quotes
  // only cells holding the whole record delimiter, so a bare \n or \r split the row (a BI trial).
  const csvOptions = { columns: [...spec.columns], record_delimiter: '\r\n', quoted_match: /[\r\n]/ };
  const format = (records: Record<string, unknown>[]): string =>
    request.format === 'csv'
      ? stringify(records, { ...csvOptions, header: false, cast: { string: spreadsheetSafe } })
      : records.map((record) => `${JSON.stringify(record)}\n`).join('');
  const head = new PassThrough();
  const abort = new AbortController();
  let stalled = false;
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.on('close', onClose);
  const aborted = new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true }));

  // The 200 and the body start with the first rows (or the end of an empty export), not before:
  // a store that fails on its first read is then answered with a status and an error body, where
  // a head written first would leave the client a 200 cut off with no word of what failed.
  let piped: Promise<void> | null = null;
  const startBody = (): Promise<void> => {
    if (piped) return piped;
    res.writeHead(200, headers);
    piped = pipeline([head, ...(gzip ? [createGzip()] : []), res]).catch(() => abort.abort());
    if (request.format === 'csv') head.write(stringify([], { ...csvOptions, header: true }));
    return piped;
  };

  // Waits for the client: for a batch to be taken, or for the last bytes to be flushed. Every drain
  // of the response is progress; none for the stall timeout aborts the export, which ends its
  // transaction (PostgreSQL: the cursor closes and the connection goes back to the pool) and frees its slot.
  // Time spent reading the store is not counted: only the client can stall.
  const { stallTimeoutMs } = options.limits;
  const awaitClient = async (taken: Promise<unknown>) => {
    const timer = setTimeout(() => {
      stalled = true;
      abort.abort();
    }, stallTimeoutMs);
    const progress = () => void timer.refresh();
    res.on('drain', progress);
    try {
      await Promise.race([taken, aborted]);
    } finally {
      clearTimeout(timer);
      res.off('drain', progress);
    }
  };

  // Back-pressure: the next batch is read from the store only when the socket (through gzip) has taken this one.
  const write = async (text: string) => {
    if (abort.signal.aborted) throw new Error('export aborted');
    void startBody();
    // The signal drops the listener when the export is aborted instead.
    if (text !== '' && !head.write(text)) await awaitClient(once(head, 'drain', { signal: abort.signal }));
    if (abort.signal.aborted) throw new Error('export aborted');
  };
  const emit = (rows: Record<string, unknown>[]) => write(format(rows.map((row) => spec.toRow(row))));
  let rows = 0;
  let outcome: ExportOutcome['outcome'] = 'complete';
  let failure: unknown = null;
  try {
    rows = await storeRowSource(options.database, { select: spec.select, where: where.join(' AND '), params, lateral: spec.lateral }).run(async (batch) => {
      await emit(batch);
      rows += batch.length;
    }, abort.signal);
    if (!abort.signal.aborted) {
      const body = startBody();
      head.end();
      await awaitClient(body);
    }
    if (abort.signal.aborted) outcome = stalled ? 'stalled' : 'aborted';
  } catch (error) {
    outcome = abort.signal.aborted ? (stalled ? 'stalled' : 'aborted') : 'failed';
    failure = error;
  } finally {
    res.off('close', onClose);
  }
  if (outcome === 'failed' && piped === null) {
    // Nothing was sent yet: the client gets a status and an error body (503 when the store was out of reach).
    answerRouteFailure(res, failure, errorBody, options.onUnexpectedError);
  } else if (outcome !== 'complete') {
    // Cut off mid-body (or stalled): the connection is closed, which a client of a streamed
    // download reads as an incomplete transfer. A stalled client's socket would otherwise keep the buffered output.
    res.destroy();
  }
  return { kind: request.kind, workspace: workspaceId, rows, outcome, ...(outcome === 'stalled' && { stallTimeoutMs }) };
}

/** Whether `Accept-Encoding` allows gzip (named or `*`, with a q-value above 0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  const weights = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [name = '', ...parameters] = part.trim().split(';');
    const q = parameters.map((each) => /^\s*q=([0-9.]+)\s*$/.exec(each)?.[1]).find((each) => each !== undefined);
    weights.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  return (weights.get('gzip') ?? weights.get('x-gzip') ?? weights.get('*') ?? 0) > 0;
}
