import type { Provider } from '../domain/types.ts';
import type { ChangeWriter } from '../feed/changeWriter.ts';
import type { ProviderConnector } from '../providers/connector.ts';
import type { Database } from '../store/database.ts';
import { claimSyncLease, recordSyncError, recordSyncSuccess, releaseSyncLease } from '../store/queries/syncAccounts.ts';
import { SyncLeaseLostError, syncAccount, type SyncPassReport } from './syncAccount.ts';

export interface SyncAccountRef {
  workspaceId: string;
  connector: ProviderConnector;
}

export interface SyncServiceOptions {
  database: Database;
  writer: ChangeWriter;
  /** Every workspace's provider accounts, asked at each round (workspaces may be reloaded). */
  accounts: () => SyncAccountRef[];
  /** Names this replica in sync leases. */
  replicaId: string;
  /** Between two passes over the same account. @default 60_000 */
  intervalMs?: number;
  /** How long a lease lasts without renewal; a dead replica's accounts are picked up after it. @default 60_000 */
  leaseTtlMs?: number;
  /** Days of conversations kept; null keeps everything. @default null */
  retentionDays?: number | null;
  clock?: () => Date;
  onError?: (error: unknown, during: string) => void;
}

export type SyncOutcome =
  | { workspaceId: string; provider: Provider; outcome: 'synced'; report: SyncPassReport }
  | { workspaceId: string; provider: Provider; outcome: 'leased-elsewhere' }
  /** `stop()` was called: the pass ended at a page boundary (its position is stored) or never began. */
  | { workspaceId: string; provider: Provider; outcome: 'stopped' }
  | { workspaceId: string; provider: Provider; outcome: 'failed'; error: string };

/**
 * Keeps the synced store current: every `intervalMs`, a pass over each account whose lease this
 * replica gets (one replica per account at a time; the others skip it). Errors are recorded on
 * the account (freshness shows them) and the next round tries again.
 */
export class SyncService {
  readonly #options: SyncServiceOptions;
  readonly #clock: () => Date;
  #timer: NodeJS.Timeout | null = null;
  #round: Promise<SyncOutcome[]> | null = null;
  #running = false;
  /** Set by `stop()`: a pass in progress ends at its next page, and the round takes no further account. */
  #stopping = false;

  constructor(options: SyncServiceOptions) {
    this.#options = options;
    this.#clock = options.clock ?? (() => new Date());
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = false;
    const tick = () => {
      if (!this.#running) return;
      void this.syncOnce()
        .catch((error) => this.#options.onError?.(error, 'sync round'))
        .finally(() => {
          if (this.#running) this.#timer = setTimeout(tick, this.#options.intervalMs ?? 60_000);
        });
    };
    tick();
  }

  /**
   * Ends the round in progress at its next page rather than after every account's backfill (a
   * first pass over a large account lasts minutes, past any shutdown bound); each account's
   * position is stored page by page, so the next pass, here or on another replica, goes on from it.
   */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#round?.catch(() => {});
    // An embedded store this process has not used since start holds no lease of ours; starting
    // its process only to release nothing would cost about a second on the way out.
    if (this.#options.database.usedSinceStart?.() === false) return;
    for (const { workspaceId, connector } of this.#options.accounts()) {
      await releaseSyncLease(this.#options.database, { workspaceId, provider: connector.provider }, this.#options.replicaId).catch(() => {});
    }
  }

  /** One pass over every account this replica can lease; a round in progress is joined, not doubled. */
  syncOnce(): Promise<SyncOutcome[]> {
    this.#round ??= this.#runRound().finally(() => {
      this.#round = null;
    });
    return this.#round;
  }

  async #runRound(): Promise<SyncOutcome[]> {
    const outcomes: SyncOutcome[] = [];
    for (const ref of this.#options.accounts()) {
      outcomes.push(this.#stopping ? { workspaceId: ref.workspaceId, provider: ref.connector.provider, outcome: 'stopped' } : await this.#syncOne(ref));
    }
    return outcomes;
  }

  async #syncOne({ workspaceId, connector }: SyncAccountRef): Promise<SyncOutcome> {
    const { database, replicaId } = this.#options;
    const provider = connector.provider;
    const key = { workspaceId, provider };
    const ttlMs = this.#options.leaseTtlMs ?? 60_000;
    const account = await claimSyncLease(database, key, replicaId, this.#clock(), ttlMs);
    if (!account) return { workspaceId, provider, outcome: 'leased-elsewhere' };
    try {
      const report = await syncAccount(
        {
          database,
          writer: this.#options.writer,
          connector,
          owner: replicaId,
          clock: this.#clock,
          retentionDays: this.#options.retentionDays ?? null,
          // Renewing at each page keeps a long backfill ours; a replica that stalled past the TTL finds it gone.
          shouldContinue: async () => !this.#stopping && (await claimSyncLease(database, key, replicaId, this.#clock(), ttlMs)) !== null,
        },
        account,
      );
      await recordSyncSuccess(database, key, this.#clock());
      return { workspaceId, provider, outcome: 'synced', report };
    } catch (error) {
      if (error instanceof SyncLeaseLostError && this.#stopping) return { workspaceId, provider, outcome: 'stopped' };
      const message = error instanceof Error ? error.message : String(error);
      if (!(error instanceof SyncLeaseLostError)) {
        await recordSyncError(database, key, message, this.#clock()).catch(() => {});
        this.#options.onError?.(error, `syncing ${provider} of workspace ${workspaceId}`);
      }
      return { workspaceId, provider, outcome: 'failed', error: message };
    }
  }
}
