import pg from 'pg';
import type { Database } from '../store/database.ts';
import { postgresConnectionConfig } from '../store/postgresDatabase.ts';
import type { ChangeEvent, ChangeFeed, ChangeListener } from './changeEvent.ts';
import { deliver } from './inProcessFeed.ts';
import { decodeNotifyPayload, MAX_NOTIFY_PAYLOAD_BYTES, packNotifyPayloads } from './notifyPayloads.ts';

export interface PostgresFeedOptions {
  databaseUrl: string;
  /** Bound on opening the listening connection. @default DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS */
  connectTimeoutMs?: number;
  /** The store's schema: replicas of one deployment share a channel, tests in other schemas do not. */
  schema?: string;
  /** Where notifications are sent from (the store's pool). */
  database: Database;
  onError?: (error: unknown) => void;
  /** Waits before each attempt to reopen a lost listening connection; the last repeats. @default 1 s, 2 s, 5 s, then every 10 s */
  retryDelaysMs?: readonly number[];
}

const DEFAULT_RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000];

/**
 * The feed across replicas: `pg_notify` on a channel named after the schema (each payload a JSON
 * array of events, `notifyPayloads.ts`), and one dedicated
 * connection per replica LISTENing on it. PostgreSQL delivers a notification to every listener,
 * the sender's own replica included, so local subscribers hear changes the same way as remote
 * ones. A dropped listening connection is reopened, retried until it is back (`isListening` says
 * whether it is); what was notified meanwhile is not replayed (subscriptions are live, and the
 * store holds the state).
 */
export class PostgresFeed implements ChangeFeed {
  readonly #listeners = new Set<ChangeListener>();
  readonly #options: PostgresFeedOptions;
  readonly #channel: string;
  readonly #retryDelaysMs: readonly number[];
  /** The listening connection, once it LISTENs; null while it is being (re)opened. */
  #client: pg.Client | null = null;
  /** Reopening the listening connection after it was lost; one at a time, however many errors the loss raised. */
  #reopening: Promise<void> | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  /** Ends the wait between reopen attempts at once (on close). */
  #endRetryWait: (() => void) | null = null;
  #closed = false;

  private constructor(options: PostgresFeedOptions) {
    this.#options = options;
    this.#channel = `switchboard_feed_${options.schema ?? 'public'}`;
    this.#retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  }

  static async open(options: PostgresFeedOptions): Promise<PostgresFeed> {
    const feed = new PostgresFeed(options);
    feed.#client = await feed.#connect();
    return feed;
  }

  /** Whether the feed LISTENs now: false from the moment its connection was lost until it is back. */
  isListening(): boolean {
    return this.#client !== null;
  }

  /**
   * A new connection that LISTENs on the channel. Its loss (an `error`, of which pg may raise
   * several for one drop, or an `end`) is handled once: the connection is ended, and one loop
   * reopens another until it succeeds or the feed closes. Each loss used to schedule a reopen of
   * its own, so every drop doubled the listening connections (and each event was delivered once
   * per connection); a reopen that failed (the database refusing connections) was never retried.
   */
  async #connect(): Promise<pg.Client> {
    const client = new pg.Client(postgresConnectionConfig(this.#options.databaseUrl, this.#options.connectTimeoutMs));
    let lost = false;
    const onLost = (error: unknown) => {
      if (lost) return;
      lost = true;
      client.end().catch(() => {});
      if (this.#client !== client) return; // still connecting: the caller sees the failure
      this.#options.onError?.(error);
      this.#client = null;
      this.#reopen();
    };
    client.on('notification', (message) => {
      if (lost || message.channel !== this.#channel || !message.payload) return;
      const decoded = decodeNotifyPayload(message.payload);
      if ('error' in decoded) {
        this.#options.onError?.(decoded.error);
        return;
      }
      for (const event of decoded.events) deliver(this.#listeners, event);
    });
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('the change feed\'s listening connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.#channel}`);
    } catch (error) {
      onLost(error);
      throw error;
    }
    if (lost) throw new Error('the change feed\'s listening connection was lost while it opened');
    return client;
  }

  #reopen(): void {
    if (this.#closed || this.#reopening) return;
    this.#reopening = (async () => {
      for (let attempt = 0; !this.#closed; attempt++) {
        await new Promise<void>((resolve) => {
          this.#endRetryWait = resolve;
          this.#retryTimer = setTimeout(resolve, this.#retryDelaysMs[Math.min(attempt, this.#retryDelaysMs.length - 1)] ?? 1_000).unref();
        });
        this.#retryTimer = null;
        this.#endRetryWait = null;
        if (this.#closed) return;
        try {
          const client = await this.#connect();
          if (this.#closed) {
            await client.end().catch(() => {});
            return;
          }
          this.#client = client;
          return;
        } catch (error) {
          this.#options.onError?.(error);
        }
      }
    })().finally(() => (this.#reopening = null));
  }

  /**
   * One statement per publish: the events packed, in order, into as few JSON-array payloads as
   * the 8000-byte NOTIFY limit allows, each one `pg_notify`. They are delivered together at its
   * commit, in order. (PostgreSQL folds identical payloads of one transaction into one; two
   * identical packs of events say nothing the first did not.)
   */
  async publish(events: readonly ChangeEvent[]): Promise<void> {
    const { payloads, tooLarge } = packNotifyPayloads(events);
    if (tooLarge.length > 0) {
      this.#options.onError?.(new Error(`${tooLarge.length} change event(s) over the ${MAX_NOTIFY_PAYLOAD_BYTES}-byte NOTIFY limit were not sent`));
    }
    if (payloads.length === 0) return;
    try {
      await this.#options.database.query(
        `SELECT pg_notify($1, payload)
           FROM (SELECT payload FROM jsonb_array_elements_text($2::text::jsonb) WITH ORDINALITY AS p(payload, n) ORDER BY n) AS ordered`,
        [this.#channel, JSON.stringify(payloads)],
      );
    } catch (error) {
      this.#options.onError?.(error);
    }
  }

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    // A reopen waiting between attempts ends now (it left its wait pending before), and one that
    // is connecting ends the connection it gets: close returns with no connection left behind.
    this.#endRetryWait?.();
    await this.#reopening;
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => {});
  }
}
