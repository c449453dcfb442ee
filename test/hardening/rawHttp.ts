import { connect, type Socket } from 'node:net';

/** What a server did with a request a client never finished. */
export interface RawAnswer {
  /** The status of the answer, or null when none came. */
  status: number | null;
  /** Everything after the answer's head. */
  body: string;
  /** The server closed (or reset) the connection before `waitMs` was up. */
  closedByServer: boolean;
}

/**
 * Writes `parts` on a fresh connection to `url`'s host (no HTTP client: fetch would finish the
 * body), one every `everyMs`, and never finishes the request. Resolves with the server's answer
 * once the server closes the connection, or after `waitMs`: a bound on the test, not a timing
 * it asserts.
 */
export function sendUnfinished(url: string, parts: readonly (string | Buffer)[], options: { waitMs: number; everyMs?: number }): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const received: Buffer[] = [];
    let closedByServer = false;
    let done = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      if (done) return;
      done = true;
      for (const timer of timers) clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(Buffer.concat(received).toString('latin1'), closedByServer));
    };
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // A reset after the answer (the server closed with our unread body in its buffers) still ends it.
    socket.on('error', () => {});
    socket.on('close', () => {
      closedByServer = !done;
      finish();
    });
    parts.forEach((part, index) => {
      timers.push(setTimeout(() => !done && socket.write(part), index * (options.everyMs ?? 0)));
    });
    timers.push(setTimeout(finish, options.waitMs));
  });
}

/** Opens a connection and resolves once it is established (or refused). */
export function openConnection(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The head of a request whose body is `contentLength` bytes long. */
export function requestHead(path: string, headers: Record<string, string>, contentLength: number): string {
  const lines = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Type: application/json', `Content-Length: ${contentLength}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function parseAnswer(text: string, closedByServer: boolean): RawAnswer {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
  const headEnd = text.indexOf('\r\n\r\n');
  return { status: match ? Number(match[1]) : null, body: headEnd === -1 ? '' : text.slice(headEnd + 4), closedByServer };
}
