import { AsyncLocalStorage } from 'node:async_hooks';
import type { Span } from '@opentelemetry/api';
import type { Provider } from '../domain/types.ts';

/** How an operation ended, as the access line and the metrics name it. */
export type OperationOutcome = 'success' | 'partial' | 'error';

/**
 * What one HTTP request to /graphql gathers while it runs: filled in by the operation plugin
 * (name, outcome, workspace) and the upstream observer (requests sent), read once at the end for
 * the access line, the metrics and the operation's span. Carried in AsyncLocalStorage because the
 * upstream clients are shared by every request of a workspace: the request they work for is only
 * known from the async context they run in.
 */
export interface RequestScope {
  readonly requestId: string;
  /** `performance.now()` at the first byte of the request. */
  readonly startedAt: number;
  /** The operation's span, parent of its upstream spans; null when tracing is off. */
  readonly span: Span | null;
  operationName: string | null;
  operationType: string | null;
  outcome: OperationOutcome | null;
  /** `extensions.code` of each error in the answer, in order, without repeats. */
  errorCodes: string[];
  workspace: string | null;
  /** Upstream requests sent on this request's behalf (every attempt), by provider. */
  upstream: Partial<Record<Provider, number>>;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, work: () => T): T {
  return storage.run(scope, work);
}

/** The request the current code works for, or undefined outside one (the fan-out's own loops). */
export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}
