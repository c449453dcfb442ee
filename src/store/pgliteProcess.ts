/**
 * The process that holds the embedded store while it is in use, started by
 * `pgliteProcessClient.ts` on a data directory whose lease its parent holds. It opens PGlite,
 * answers the parent's statements over the IPC channel, and closes PGlite (a checkpoint) and exits
 * when the parent asks, or when the parent is gone. Why a process of its own: PGlite's memory,
 * once touched, is never given back while the process that opened it lives (BENCHMARKS.md,
 * idle memory); this process takes it with it when the store is idle.
 */
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { heartbeatAsHelper, leaseNamesHelper, waitUntilNamedInLease } from './dataDirLock.ts';
import { runQuery } from './pgliteQuery.ts';
import { PGLITE_START_PARAMS } from './pgliteSizing.ts';
import { toWireError, type StoreMessage, type StoreRequest } from './pgliteProcessProtocol.ts';

const dir = process.argv[2] ?? '';
if (!dir || !process.send) {
  process.stderr.write('usage: started by pgliteProcessClient.ts with an IPC channel, on a data directory\n');
  process.exit(2);
}

// The gateway shuts down on SIGINT/SIGTERM and closes this process when its last statements are
// done, so neither signal may end it first. It runs in a process group of its own (a terminal's
// Ctrl-C does not reach it); one sent to it alone is ignored as well.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});

function send(message: StoreMessage): void {
  // The channel closes when the parent dies; what it would have been told no longer matters. The
  // callback takes the error of a send the closing channel refuses (EPIPE), which would otherwise
  // end this process before it closed the store.
  if (process.connected) process.send?.(message, undefined, undefined, () => {});
}

// Nothing is touched before the parent's lease names this process (see `addHelper`): a parent
// killed meanwhile leaves a lease that nobody takes over while this process still runs.
if (!(await waitUntilNamedInLease(dir, process.pid, process.ppid))) {
  process.stderr.write(`the process that started this one (pid ${process.ppid}) did not name it in the lease of ${dir}; the store was not touched\n`);
  process.exit(3);
}
heartbeatAsHelper(dir, process.pid);

/**
 * Before the store is touched (a statement, a close), at most once a second: does the lease still
 * name this process? A process stopped (SIGSTOP, a stalled loop) past the lease's TTL may find the
 * directory taken over when it resumes; it then exits at once, writing nothing (no close: a close
 * checkpoints). The parent checks its own lease the same way before each statement.
 */
let namedAt = Date.now();
function exitUnlessStillNamed(): void {
  const now = Date.now();
  if (now - namedAt < 1_000) return;
  // An unreadable record (caught mid-rewrite) is read again next time; only one naming others stops it.
  if (leaseNamesHelper(dir, process.pid) === false) {
    process.stderr.write(`the lease of ${dir} no longer names this store process (pid ${process.pid}): it was taken over; exiting without touching the store\n`);
    process.exit(1);
  }
  namedAt = now;
}

interface OpenTransaction {
  tx: Transaction;
  /** Resolved by the parent's `end`: true commits, false rolls back. */
  end: (commit: boolean) => void;
  /** Settles once PGlite committed or rolled back. */
  settled: Promise<void>;
}

/** Thrown out of PGlite's transaction callback to make it roll back; not an error. */
const ROLL_BACK = Symbol('roll back');

let pglite: PGlite;
try {
  pglite = await PGlite.create(dir, { startParams: [...PGLITE_START_PARAMS] });
} catch (error) {
  send({ type: 'openFailed', error: toWireError(error) });
  process.exit(1);
}

const transactions = new Map<number, OpenTransaction>();
let nextTransaction = 1;
let closing: Promise<never> | null = null;

/** How long a close may take before the process exits without it (as a crash would: PGlite recovers from its log). */
const CLOSE_BOUND_MS = 10_000;

/**
 * Rolls back what the parent left open, closes PGlite (a checkpoint) and exits. A BEGIN that was
 * queued behind PGlite's transaction lock starts only after this began: `begin` rolls it back at
 * once, or it would wait for an `end` a dead parent never sends, and the close behind it forever.
 */
function closeAndExit(): Promise<never> {
  closing ??= (async () => {
    setTimeout(() => {
      process.stderr.write(`the store process (pid ${process.pid}) could not close the store within ${CLOSE_BOUND_MS} ms; exiting without a checkpoint\n`);
      process.exit(1);
    }, CLOSE_BOUND_MS).unref();
    for (const open of transactions.values()) open.end(false);
    await Promise.allSettled([...transactions.values()].map((open) => open.settled));
    exitUnlessStillNamed();
    await pglite.close();
    process.exit(0);
  })();
  return closing;
}

function begin(): Promise<number> {
  const id = nextTransaction++;
  return new Promise<number>((opened, failed) => {
    let end: (commit: boolean) => void = () => {};
    const decided = new Promise<boolean>((resolve) => (end = resolve));
    const settled = pglite
      .transaction(async (tx) => {
        if (closing) {
          failed(new Error('the store is closing'));
          throw ROLL_BACK;
        }
        transactions.set(id, { tx, end, settled });
        opened(id);
        if (!(await decided)) throw ROLL_BACK;
      })
      .then(
        () => undefined,
        (error: unknown) => {
          if (error !== ROLL_BACK) throw error;
        },
      )
      .finally(() => transactions.delete(id));
    // A BEGIN that failed never reached the callback.
    settled.catch(failed);
  });
}

function target(tx: number | null): PGlite | Transaction {
  if (tx === null) return pglite;
  const open = transactions.get(tx);
  if (!open) throw new Error(`transaction ${tx} is not open in the store's process`);
  return open.tx;
}

async function answer(request: StoreRequest): Promise<StoreMessage> {
  exitUnlessStillNamed();
  switch (request.op) {
    case 'query': {
      const { rows, rowCount } = await runQuery(target(request.tx), request.sql, request.params);
      return { type: 'reply', id: request.id, ok: true, rows, rowCount, tx: null };
    }
    case 'exec':
      await target(request.tx).exec(request.sql);
      return { type: 'reply', id: request.id, ok: true, rows: [], rowCount: 0, tx: null };
    case 'begin':
      return { type: 'reply', id: request.id, ok: true, rows: [], rowCount: 0, tx: await begin() };
    case 'end': {
      const open = transactions.get(request.tx);
      if (!open) throw new Error(`transaction ${request.tx} is not open in the store's process`);
      open.end(request.commit);
      await open.settled;
      return { type: 'reply', id: request.id, ok: true, rows: [], rowCount: 0, tx: null };
    }
    case 'close':
      // Answered first: the parent waits for this process to exit, not for the reply.
      send({ type: 'reply', id: request.id, ok: true, rows: [], rowCount: 0, tx: null });
      return closeAndExit();
  }
}

process.on('message', (request: StoreRequest) => {
  answer(request).then(send, (error: unknown) => send({ type: 'reply', id: request.id, ok: false, error: toWireError(error) }));
});
// The parent is gone (killed, or exited without closing the store): what it left open is rolled
// back and the store closed as a clean stop would. Its lease names this process until it exits,
// so no other gateway opens the directory meanwhile.
process.on('disconnect', () => void closeAndExit());
if (process.connected) send({ type: 'ready' });
else await closeAndExit(); // the parent died while PGlite opened
