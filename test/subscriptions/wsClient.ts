import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Subscriber<T> {
  events: T[];
  errors: unknown[];
  /** Whether the server completed the subscription. */
  readonly completed: boolean;
  /** Resolves once `predicate` holds for the events received, or rejects after `timeoutMs`. */
  until(predicate: (events: T[]) => boolean, timeoutMs?: number): Promise<T[]>;
  close(): Promise<void>;
}

/** A graphql-ws client on `origin`'s /graphql, authenticated with `apiKey` in connection_init. */
export function wsClient(origin: string, apiKey: string): Client {
  return createClient({
    url: `${origin.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${apiKey}` },
    retryAttempts: 0,
    lazy: true,
  });
}

export function subscribe<T>(client: Client, query: string, variables: Record<string, unknown> = {}): Subscriber<T> {
  const events: T[] = [];
  const errors: unknown[] = [];
  let completed = false;
  let changed = () => {};
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) events.push(result.data as T);
        changed();
      },
      error: (error) => {
        errors.push(error);
        changed();
      },
      complete: () => {
        completed = true;
        changed();
      },
    },
  );
  return {
    events,
    errors,
    get completed() {
      return completed;
    },
    until: (predicate, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out; ${events.length} events: ${JSON.stringify(events).slice(0, 2000)} errors: ${JSON.stringify(errors)}`)), timeoutMs);
        changed = () => {
          if (errors.length > 0) {
            clearTimeout(timer);
            reject(new Error(`subscription error: ${JSON.stringify(errors)}`));
          } else if (predicate(events)) {
            clearTimeout(timer);
            resolve(events);
          }
        };
        changed();
      }),
    close: async () => {
      dispose();
    },
  };
}
