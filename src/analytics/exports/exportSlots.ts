import { POSTGRES_POOL_CONNECTIONS } from '../../store/database.ts';

/**
 * How many exports one replica runs at once, and for how long one may wait on its client.
 *
 * On PostgreSQL an export holds one of the pool's connections (a transaction and a server-side
 * cursor) from its first row to its last, for as long as its client takes to read them. Without a
 * cap, a handful of slow or stalled BI clients would hold the whole pool, and every other use of
 * the database (GraphQL, sync, fan-out, every workspace's) would wait behind them.
 */
export interface ExportLimits {
  /** Exports running at once on this replica; one more is answered 503. */
  maxConcurrent: number;
  /** Of those, at most this many for one workspace (its API keys together); one more is answered 429. */
  maxPerWorkspace: number;
  /** An export whose client takes nothing for this long while output waits for it is aborted. */
  stallTimeoutMs: number;
}

export const DEFAULT_EXPORT_STALL_TIMEOUT_MS = 30_000;

/**
 * `Retry-After` on a refused export. Slots free when an export ends, which nothing predicts; a
 * stalled one frees within the stall timeout. Ten seconds keeps a retrying BI tool from hammering
 * the replica without making it wait long once a slot is free.
 */
export const EXPORT_RETRY_AFTER_SECONDS = 10;

/**
 * A third of the pool (3 of the default 10, `SWITCHBOARD_DATABASE_POOL_SIZE`), at least one: most
 * of the pool stays for everything else. PGlite has no pool (its exports hold no connection between
 * batches) and gets the default pool's number, since each running export's batch queries take turns
 * with every other query on its one connection.
 */
export function defaultMaxConcurrentExports(poolConnections = POSTGRES_POOL_CONNECTIONS): number {
  return Math.max(1, Math.floor(poolConnections / 3));
}

/** Half the replica's exports, rounded up (2 of 3): one workspace never takes every slot when there are two or more. */
export function defaultMaxExportsPerWorkspace(maxConcurrent: number): number {
  return Math.ceil(maxConcurrent / 2);
}

/** The limits with every unset one at its default. */
export function resolveExportLimits(set: Partial<ExportLimits> = {}, poolConnections = POSTGRES_POOL_CONNECTIONS): ExportLimits {
  const maxConcurrent = set.maxConcurrent ?? defaultMaxConcurrentExports(poolConnections);
  return {
    maxConcurrent,
    maxPerWorkspace: set.maxPerWorkspace ?? defaultMaxExportsPerWorkspace(maxConcurrent),
    stallTimeoutMs: set.stallTimeoutMs ?? DEFAULT_EXPORT_STALL_TIMEOUT_MS,
  };
}

/** The limits an export can be refused by: the replica's cap (503) and the workspace's share of it (429). */
export const EXPORT_LIMIT_NAMES = ['replica', 'workspace'] as const;

/** Why an export was not started: which limit is reached, and its value. */
export interface ExportRefusal {
  limit: (typeof EXPORT_LIMIT_NAMES)[number];
  max: number;
}

export interface ExportSlot {
  /** Gives the slot back; calling it again does nothing. */
  release(): void;
}

/**
 * The replica's export slots: taken before an export touches the store, given back when it ends
 * however it ends. Refusing at once (rather than queueing) keeps a waiting export from holding a
 * socket and a request for nothing; the client is told when to try again.
 */
export class ExportSlots {
  private running = 0;
  private readonly byWorkspace = new Map<string, number>();
  /** The caps in force (`Gateway.exportSlots`: tests read them). */
  readonly limits: Pick<ExportLimits, 'maxConcurrent' | 'maxPerWorkspace'>;

  constructor(limits: Pick<ExportLimits, 'maxConcurrent' | 'maxPerWorkspace'>) {
    this.limits = { maxConcurrent: limits.maxConcurrent, maxPerWorkspace: limits.maxPerWorkspace };
  }

  /** Exports running now, in all and for one workspace. */
  inUse(workspaceId?: string): number {
    return workspaceId === undefined ? this.running : (this.byWorkspace.get(workspaceId) ?? 0);
  }

  tryAcquire(workspaceId: string): ExportSlot | ExportRefusal {
    const mine = this.byWorkspace.get(workspaceId) ?? 0;
    // The workspace's own share first: a workspace over it is told so (429), whatever the others do.
    if (mine >= this.limits.maxPerWorkspace) return { limit: 'workspace', max: this.limits.maxPerWorkspace };
    if (this.running >= this.limits.maxConcurrent) return { limit: 'replica', max: this.limits.maxConcurrent };
    this.running += 1;
    this.byWorkspace.set(workspaceId, mine + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.running -= 1;
        const left = (this.byWorkspace.get(workspaceId) ?? 1) - 1;
        if (left === 0) this.byWorkspace.delete(workspaceId);
        else this.byWorkspace.set(workspaceId, left);
      },
    };
  }
}
