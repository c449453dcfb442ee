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
 * request's connectors report to an observer bound to it (`Workspace.observedBy`). With any
 * AsyncLocalStorage in use, Node 22 runs a promise hook for every promise the process creates;
 * graphql-js creates thousands per page, and the hook cost the read path about a tenth of its CPU
 * (BENCHMARKS.md).
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
