import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CODE_FORM, MODULE_EXTENSION } from '../codeForm.ts';
import type { Queryable, QueryResult } from './database.ts';
import type { DataDirLock } from './dataDirLock.ts';
import { fromWireError, type StoreMessage, type StoreRequest } from './pgliteProcessProtocol.ts';

/** The store's process in the form this process runs in: `.js` from build/, `.ts` from src/. */
const STORE_PROCESS = fileURLToPath(new URL(`./pgliteProcess${MODULE_EXTENSION}`, import.meta.url));

/**
 * V8 keeps PGlite's WebAssembly in its baseline compiler (Liftoff) instead of recompiling the hot
 * functions with TurboFan in the background. The process starts after every idle stop, and for a
 * start and a few hundred statements this halves its CPU (2.5 -> 1.1 s) and saves 60 MiB; even a
 * 45 s run of writes used less CPU with it (44.5 against 55.1 s), though its heaviest statement
 * ran 12% slower (BENCHMARKS.md, idle memory). Process-wide, which is why the gateway itself does
 * not take it: undici's parser is WebAssembly too.
 */
const STORE_PROCESS_NODE_FLAGS = ['--liftoff-only'];

/**
 * How to run it: as node runs this process. Compiled, or on a Node that strips types, plain
 * `node`; only a source run on an older Node (bin/switchboard.js's development fallback) needs tsx,
 * a development dependency, so it is looked up only then: a production install has none.
 */
function storeProcessArguments(dir: string): string[] {
  const nodeRunsIt = CODE_FORM === 'build' || Boolean(process.features.typescript);
  if (nodeRunsIt) return [...STORE_PROCESS_NODE_FLAGS, STORE_PROCESS, dir];
  return [...STORE_PROCESS_NODE_FLAGS, '--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, STORE_PROCESS, dir];
}

/** A statement could not be answered: the store's process ended before it did. */
export class StoreProcessExitedError extends Error {
  readonly how: string;
  constructor(how: string) {
    super(`the embedded store's process ${how} before the statement was answered`);
    this.name = 'StoreProcessExitedError';
    this.how = how;
  }
}

export interface PgliteProcessOptions {
  /** The data directory, created and leased by the caller. */
  dir: string;
  /** The caller's lease: the process is named in it while it runs, so nobody takes the directory over before it exited. */
  lease: Pick<DataDirLock, 'addHelper'>;
  /** How long the process stays after its last statement. */
  idleMs: number;
  /** Told when the process ended without being asked to (its statements in flight failed). */
  onUnexpectedExit?: (how: string) => void;
}

interface Waiting {
  resolve: (message: Extract<StoreMessage, { ok: true }>) => void;
  reject: (error: Error) => void;
}

/** One run of the store's process, from spawn to exit. */
interface Run {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<void>;
  waiting: Map<number, Waiting>;
  /** Set once it exited: later statements for this run fail at once. */
  ended: string | null;
  /** This side asked it to close: its exit is expected. */
  closing: boolean;
  /** PGlite opened: an exit before that is reported by the open's own error. */
  opened: boolean;
}

/**
 * The embedded store in a process of its own, started by the first statement and stopped (PGlite
 * closed, the process gone, its memory with it) once no statement has run for `idleMs`. Statements
 * and transactions keep PGlite's semantics: one connection, so a transaction holds the store until
 * it ends and other statements wait. The memory this saves is measured in BENCHMARKS.md.
 */
export class PgliteProcess {
  readonly #options: PgliteProcessOptions;
  #run: Run | null = null;
  #stopping: Promise<void> | null = null;
  /** Statements and transactions in progress: the process is not stopped under them. */
  #busy = 0;
  #idleTimer: NodeJS.Timeout | null = null;
  /** `stop`s waiting for the work in progress to end. */
  #whenIdle: (() => void)[] = [];
  #nextId = 1;
  #killed = false;

  constructor(options: PgliteProcessOptions) {
    this.#options = options;
  }

  /** Whether the process runs now (starting, open, or closing). */
  isRunning(): boolean {
    return this.#run !== null;
  }

  async query<Row extends object>(sql: string, params: readonly unknown[] | undefined): Promise<QueryResult<Row>> {
    return this.#use((run) => this.#statement<Row>(run, sql, params, null));
  }

  async exec(sql: string): Promise<void> {
    await this.#use((run) => this.#call(run, { op: 'exec', sql, tx: null }));
  }

  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#use(async (run) => {
      const { tx } = await this.#call(run, { op: 'begin' });
      if (tx === null) throw new Error('the store process opened no transaction');
      // Every statement of the transaction goes to this run: should it end, they fail rather than
      // reach a new process without the transaction.
      const inTransaction: Queryable = {
        query: (sql, params) => this.#statement(run, sql, params, tx),
        exec: async (sql) => void (await this.#call(run, { op: 'exec', sql, tx })),
      };
      let result: T;
      try {
        result = await work(inTransaction);
      } catch (error) {
        await this.#call(run, { op: 'end', tx, commit: false }).catch(() => {});
        throw error;
      }
      await this.#call(run, { op: 'end', tx, commit: true });
      return result;
    });
  }

  /**
   * Waits for the statements and transactions in progress, then closes PGlite (a checkpoint) and
   * waits for the process to exit; the next statement starts it again.
   */
  async stop(): Promise<void> {
    this.#clearIdleTimer();
    while (this.#busy > 0) await new Promise<void>((resolve) => this.#whenIdle.push(resolve));
    while (this.#stopping) await this.#stopping;
    const run = this.#run;
    if (!run) return;
    this.#stopping = this.#close(run).finally(() => (this.#stopping = null));
    await this.#stopping;
  }

  /**
   * Ends the process at once, with no checkpoint: for a holder that lost its lease, which must not
   * write another byte. Every later statement is refused.
   */
  kill(): void {
    this.#killed = true;
    this.#clearIdleTimer();
    this.#run?.child.kill('SIGKILL');
  }

  async #use<T>(work: (run: Run) => Promise<T>): Promise<T> {
    this.#busy++;
    this.#clearIdleTimer();
    try {
      return await work(await this.#running());
    } finally {
      this.#busy--;
      if (this.#busy === 0) {
        for (const resolve of this.#whenIdle.splice(0)) resolve();
        this.#idleTimer = setTimeout(() => void this.stop().catch(() => {}), this.#options.idleMs).unref();
      }
    }
  }

  async #running(): Promise<Run> {
    for (;;) {
      if (this.#killed) throw new StoreProcessExitedError('was stopped (the lease was lost)');
      if (this.#stopping) {
        await this.#stopping;
        continue;
      }
      this.#run ??= this.#spawn();
      const run = this.#run;
      await run.ready;
      if (run.ended === null) return run;
    }
  }

  async #statement<Row extends object>(run: Run, sql: string, params: readonly unknown[] | undefined, tx: number | null): Promise<QueryResult<Row>> {
    // Not copied: the message is cloned into the store's process, which gets an array of its own.
    const reply = await this.#call(run, { op: 'query', sql, params: params as unknown[] | undefined, tx });
    return { rows: reply.rows as Row[], rowCount: reply.rowCount };
  }

  #call(run: Run, request: DistributiveOmit<StoreRequest, 'id'>): Promise<Extract<StoreMessage, { ok: true }>> {
    if (run.ended !== null) return Promise.reject(new StoreProcessExitedError(run.ended));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      run.waiting.set(id, { resolve, reject });
      run.child.send({ ...request, id } as StoreRequest, (error) => {
        if (!error) return;
        run.waiting.delete(id);
        reject(new StoreProcessExitedError(`could not be reached (${error.message})`));
      });
    });
  }

  async #close(run: Run): Promise<void> {
    run.closing = true;
    await this.#call(run, { op: 'close' }).catch(() => {});
    await run.exited;
  }

  #spawn(): Run {
    const child = spawn(process.execPath, storeProcessArguments(this.#options.dir), {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
      // A process group of its own: a Ctrl-C in a terminal (SIGINT to the foreground group) or a
      // signal to the gateway's group must not end the store under the gateway, which closes it
      // last. The process also ignores both signals, but only once its code runs: one that arrived
      // while it was starting ended it (a sync pass that started it as Ctrl-C was pressed).
      detached: true,
    });
    // Named in the lease while it runs: if this process dies first, the store's process closes the
    // store and exits, and the lease must not be taken over (nor a second one started) before then.
    const helper = child.pid === undefined ? null : this.#options.lease.addHelper(child.pid);
    let opened: () => void = () => {};
    let openFailed: (error: Error) => void = () => {};
    const run: Run = {
      child,
      ready: new Promise<void>((resolve, reject) => ((opened = resolve), (openFailed = reject))),
      exited: new Promise<void>((resolve) => child.once('exit', () => resolve())),
      waiting: new Map(),
      ended: null,
      closing: false,
      opened: false,
    };
    child.on('message', (message: StoreMessage) => {
      if (message.type === 'ready') {
        run.opened = true;
        return opened();
      }
      if (message.type === 'openFailed') return openFailed(new Error(`the embedded store in ${this.#options.dir} could not be opened: ${message.error.message}`));
      const waiting = run.waiting.get(message.id);
      if (!waiting) return;
      run.waiting.delete(message.id);
      if (message.ok) waiting.resolve(message);
      else waiting.reject(fromWireError(message.error));
    });
    const end = (how: string) => {
      if (run.ended !== null) return;
      run.ended = how;
      helper?.done();
      if (this.#run === run) this.#run = null;
      openFailed(new StoreProcessExitedError(how));
      for (const waiting of run.waiting.values()) waiting.reject(new StoreProcessExitedError(how));
      run.waiting.clear();
      if (run.opened && !run.closing && !this.#killed) this.#options.onUnexpectedExit?.(how);
    };
    child.once('exit', (code, signal) => end(signal ? `was ended by ${signal}` : `exited with code ${code}`));
    child.once('error', (error) => end(`could not be started (${error.message})`));
    run.ready.catch(() => {}); // read by #running; a failure to open also ends the process
    return run;
  }

  #clearIdleTimer(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
