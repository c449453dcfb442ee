import type { Span } from '@opentelemetry/api';
import type { Provider } from '../domain/types.ts';

/** How an operation ended, as the access line and the metrics name it. */
export type OperationOutcome = 'success' | 'partial' | 'error';

/**
 * What one HTTP request to /graphql gathers while it runs: filled in by the operation plugin
 * (name, outcome, workspace) and the request's upstream observer (requests sent), read once at the
 * end for the access line, the metrics and the operation's span.
 *
 * Passed explicitly, never through AsyncLocalStorage: the request's context carries it, and the
 * request's connectors report to an observer bound to it (`Workspace.observedBy`), so which request
 * an upstream call counts for is visible in the code rather than in ambient state. (It also spares
 * Node 22 the promise hook it runs for every promise while any AsyncLocalStorage is in use; the read
 * path's CPU per query did not measurably change with it, BENCHMARKS.md.)
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
