import pg from 'pg';
import type { Database } from '../store/database.ts';
import type { ChangeEvent, ChangeFeed, ChangeListener } from './changeEvent.ts';
import { deliver } from './inProcessFeed.ts';
import { decodeNotifyPayload, MAX_NOTIFY_PAYLOAD_BYTES, packNotifyPayloads } from './notifyPayloads.ts';

export interface PostgresFeedOptions {
  databaseUrl: string;
  /** The store's schema: replicas of one deployment share a channel, tests in other schemas do not. */
  schema?: string;
  /** Where notifications are sent from (the store's pool). */
  database: Database;
  onError?: (error: unknown) => void;
}

/**
 * The feed across replicas: `pg_notify` on a channel named after the schema (each payload a JSON
 * array of events, `notifyPayloads.ts`), and one dedicated
 * connection per replica LISTENing on it. PostgreSQL delivers a notification to every listener,
 * the sender's own replica included, so local subscribers hear changes the same way as remote
 * ones. A dropped listening connection is reopened; what was notified meanwhile is not replayed
 * (subscriptions are live, and the store holds the state).
 */
export class PostgresFeed implements ChangeFeed {
  readonly #listeners = new Set<ChangeListener>();
  readonly #options: PostgresFeedOptions;
  readonly #channel: string;
  #client: pg.Client | null = null;
  #closed = false;

  private constructor(options: PostgresFeedOptions) {
    this.#options = options;
    this.#channel = `switchboard_feed_${options.schema ?? 'public'}`;
  }

  static async open(options: PostgresFeedOptions): Promise<PostgresFeed> {
    const feed = new PostgresFeed(options);
    await feed.#listen();
    return feed;
  }

  async #listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#options.databaseUrl });
    client.on('notification', (message) => {
      if (message.channel !== this.#channel || !message.payload) return;
      const decoded = decodeNotifyPayload(message.payload);
      if ('error' in decoded) {
        this.#options.onError?.(decoded.error);
        return;
      }
      for (const event of decoded.events) deliver(this.#listeners, event);
    });
    client.on('error', (error) => {
      this.#options.onError?.(error);
      if (this.#client === client) this.#client = null;
      if (!this.#closed) setTimeout(() => void this.#listen().catch((e) => this.#options.onError?.(e)), 1_000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${this.#channel}`);
    this.#client = client;
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
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => {});
  }
}
