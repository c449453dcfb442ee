import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { stringify } from 'csv-stringify/sync';
import type { ApiKeyReading } from '../../context.ts';
import { BadUserInputError, ErrorCode } from '../../errors.ts';
import { errorBody } from '../../http/errorBody.ts';
import { sendJson } from '../../http/nodeHttpHandler.ts';
import type { Database } from '../../store/database.ts';
import type { WorkspaceRegistry } from '../../workspaces/workspaceRegistry.ts';
import { filterConditions } from '../analyticsFilter.ts';
import { readChangeWatermark } from './changeWatermark.ts';
import { EXPORT_SPECS, type ExportKind } from './exportKinds.ts';
import { ExportRequestError, isExportPath, parseExportRequest, type ExportRequest } from './exportRequest.ts';
import { storeRowSource } from './storeRowStream.ts';

/** The response header carrying the watermark to pass as the next pull's `updatedSince`. */
export const WATERMARK_HEADER = 'x-switchboard-watermark';

export interface ExportOutcome {
  kind: ExportKind;
  workspaceId: string;
  rows: number;
  /** `aborted`: the client went away and the query was stopped. */
  outcome: 'complete' | 'aborted' | 'failed';
}

export interface ExportRoutesOptions {
  database: Database;
  registry: WorkspaceRegistry;
  /** Told when each export ends (tests, logs). */
  onExportEnd?: (outcome: ExportOutcome) => void;
}

/**
 * `GET /exports/conversations`, `/exports/cost-lines`, `/exports/transcript-messages`: the
 * workspace's synced records as CSV or NDJSON, streamed from a store cursor (docs/bi.md). The same
 * API keys as GraphQL choose the workspace, and every row read is that workspace's.
 */
export function createExportRoutes(options: ExportRoutesOptions) {
  return {
    /** Serves `/exports/...` with the request's API key (read by the router); returns false for any other path. */
    handle(req: IncomingMessage, res: ServerResponse, apiKey: ApiKeyReading): boolean {
      const url = new URL(req.url ?? '/', 'http://gateway');
      if (!isExportPath(url.pathname)) return false;
      serveExport(options, req, res, url, apiKey).catch(() => {
        if (!res.headersSent) sendJson(res, 500, errorBody(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error'));
        else res.destroy();
      });
      return true;
    },
  };
}

/** A refusal names the parameter at fault, when there is one. */
const parameterOf = (parameter: string | null) => (parameter ? { parameter } : {});

async function serveExport(options: ExportRoutesOptions, req: IncomingMessage, res: ServerResponse, url: URL, apiKey: ApiKeyReading): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendJson(res, 405, errorBody(ErrorCode.METHOD_NOT_ALLOWED, 'Exports are read with GET'));
  }
  const workspace = apiKey.kind === 'key' ? options.registry.authenticate(apiKey.key) : null;
  if (!workspace) return sendJson(res, 401, errorBody(ErrorCode.UNAUTHENTICATED, 'Missing or invalid API key. Send `Authorization: Bearer <key>` or `x-api-key: <key>`.'));

  let request: ExportRequest;
  const params: unknown[] = [workspace.id];
  const where = ['r.workspace_id = $1', `r.kind = 'Conversation'`];
  try {
    request = parseExportRequest(url.pathname, url.searchParams, req.headers.accept);
    where.push(...filterConditions(request.filter, params));
  } catch (error) {
    if (error instanceof ExportRequestError) return sendJson(res, error.status, errorBody(error.status === 404 ? ErrorCode.NOT_FOUND : error.status === 406 ? ErrorCode.NOT_ACCEPTABLE : ErrorCode.BAD_USER_INPUT, error.message, parameterOf(error.parameter)));
    if (error instanceof BadUserInputError) return sendJson(res, 400, errorBody(ErrorCode.BAD_USER_INPUT, error.message, parameterOf(String(error.extensions.field ?? ''))));
    throw error;
  }

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
  res.writeHead(200, {
    'content-type': request.format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/x-ndjson; charset=utf-8',
    'content-disposition': `attachment; filename="${request.kind}.${request.format}"`,
    'cache-control': 'no-store',
    vary: 'Accept, Accept-Encoding',
    [WATERMARK_HEADER]: watermark.toString(),
    ...(gzip && { 'content-encoding': 'gzip' }),
  });
  if (method === 'HEAD') return void res.end();

  // Each batch becomes one chunk of text at once (csv-stringify's sync API), so the batch's row
  // objects die young: kept across the wait for the socket, they would be promoted to V8's old
  // space and the process's memory would grow with the export's size before a full GC.
  const format = (records: Record<string, unknown>[]): string =>
    request.format === 'csv'
      ? stringify(records, { header: false, columns: [...spec.columns], record_delimiter: '\r\n' })
      : records.map((record) => `${JSON.stringify(record)}\n`).join('');
  const head = new PassThrough();
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.on('close', onClose);
  const piped = pipeline([head, ...(gzip ? [createGzip()] : []), res]).catch(() => abort.abort());
  const aborted = new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true }));

  // Back-pressure: the next batch is read from the store only when the socket (through gzip) has taken this one.
  const write = async (text: string) => {
    if (abort.signal.aborted) throw new Error('export aborted by the client');
    if (text !== '' && !head.write(text)) await Promise.race([once(head, 'drain'), aborted]);
    if (abort.signal.aborted) throw new Error('export aborted by the client');
  };
  const emit = (rows: Record<string, unknown>[]) => write(format(rows.map((row) => spec.toRow(row))));
  let rows = 0;
  let outcome: ExportOutcome['outcome'] = 'complete';
  try {
    if (request.format === 'csv') await write(stringify([], { header: true, columns: [...spec.columns], record_delimiter: '\r\n' }));
    rows = await storeRowSource(options.database, { select: spec.select, where: where.join(' AND '), params, lateral: spec.lateral }).run(async (batch) => {
      await emit(batch);
      rows += batch.length;
    }, abort.signal);
    if (abort.signal.aborted) outcome = 'aborted';
    else head.end();
    await piped;
    if (abort.signal.aborted) outcome = 'aborted';
  } catch {
    outcome = abort.signal.aborted ? 'aborted' : 'failed';
    res.destroy();
  } finally {
    res.off('close', onClose);
    options.onExportEnd?.({ kind: request.kind, workspaceId: workspace.id, rows, outcome });
  }
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
