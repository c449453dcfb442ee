import type { IncomingMessage } from 'node:http';

export type BodyReadResult =
  | { kind: 'complete'; text: string }
  /** Declared or grown past the limit; the rest was not read. */
  | { kind: 'tooLarge' }
  /** No data for `idleTimeoutMs`: a client holding the connection open with a body that never ends. */
  | { kind: 'stalled' }
  /** The client went away before the body ended. */
  | { kind: 'aborted' };

/**
 * Reads a request body as it streams in, stopping at once when it passes `maxBytes` or when no
 * data arrives for `idleTimeoutMs`, so a client can make the gateway hold at most `maxBytes` for
 * at most one idle period at a time (and the whole request is bounded by the server's
 * `requestTimeout`).
 */
export function readRequestBody(req: IncomingMessage, limits: { maxBytes: number; idleTimeoutMs: number }): Promise<BodyReadResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) return Promise.resolve({ kind: 'tooLarge' });

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let idleTimer: NodeJS.Timeout | undefined;
    const finish = (result: BodyReadResult) => {
      clearTimeout(idleTimer);
      req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      // Whatever was buffered is garbage now; a refused body is never kept.
      chunks.length = 0;
      resolve(result);
    };
    const restartIdleTimer = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => finish({ kind: 'stalled' }), limits.idleTimeoutMs);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) return finish({ kind: 'tooLarge' });
      chunks.push(chunk);
      restartIdleTimer();
    };
    const onEnd = () => finish({ kind: 'complete', text: Buffer.concat(chunks).toString('utf8') });
    const onClose = () => finish({ kind: 'aborted' });
    req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onClose);
    restartIdleTimer();
  });
}
