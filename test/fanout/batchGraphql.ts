import type { GraphQLResponse } from '../support/testGateway.ts';

/** What the process tests and the benchmark read of a batch through GraphQL. */
export interface BatchSummary {
  id: string;
  status: 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'COMPLETED_WITH_ERRORS' | 'CANCELLED';
  counts: { total: number; queued: number; dispatching: number; created: number; ended: number; failed: number; cancelled: number; unresolved: number };
}

const SUMMARY = 'id status counts { total queued dispatching created ended failed cancelled unresolved }';

export const CREATE_BATCH = /* GraphQL */ `
  mutation Create($input: CreateConversationsInput!) { createConversations(input: $input) { ${SUMMARY} } }
`;

export const READ_BATCH = /* GraphQL */ `
  query Batch($id: ID!) { batch(id: $id) { ${SUMMARY} } }
`;

type Query = <T>(query: string, variables?: Record<string, unknown>) => Promise<GraphQLResponse<T>>;

/** Posts `createConversations` and returns the batch, or throws with the GraphQL errors. */
export async function postBatch(query: Query, input: Record<string, unknown>): Promise<BatchSummary> {
  const { body } = await query<{ createConversations: BatchSummary }>(CREATE_BATCH, { input });
  if (!body.data?.createConversations) throw new Error(`createConversations failed: ${JSON.stringify(body.errors)}`);
  return body.data.createConversations;
}

export async function readBatch(query: Query, id: string): Promise<BatchSummary> {
  const { body } = await query<{ batch: BatchSummary }>(READ_BATCH, { id });
  if (!body.data?.batch) throw new Error(`batch(id) failed: ${JSON.stringify(body.errors)}`);
  return body.data.batch;
}

/** Reads the batch until it is final, or throws after `timeoutMs` naming its last counts. */
export async function waitForFinalBatch(query: Query, id: string, timeoutMs: number, everyMs = 100): Promise<BatchSummary> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await readBatch(query, id);
    if (batch.status !== 'QUEUED' && batch.status !== 'RUNNING') return batch;
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${batch.status} after ${timeoutMs} ms: ${JSON.stringify(batch.counts)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
