/**
 * Watches the demo's conversations change over a GraphQL subscription, while a batch of three
 * calls runs. Start the demo (`npm start`), then:
 *
 *   npx tsx docs/examples/watchConversations.ts            # GATEWAY=http://localhost:4000 API_KEY=demo-key
 *
 * It prints each change (status, what changed) and exits once the three calls have ended.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const gateway = process.env.GATEWAY ?? 'http://localhost:4000';
const apiKey = process.env.API_KEY ?? 'demo-key';

async function post<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${gateway}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

// An Oration agent of the demo workspace.
const { agents } = await post<{ agents: { edges: { node: { id: string } }[] } }>('{ agents(first: 1, providers: [ORATION]) { edges { node { id } } } }');
const agentId = agents.edges[0]?.node.id;

type Change = { conversation: { id: string; status: string; batchItem: { batch: { id: string } } | null }; changes: string[]; droppedBefore: number };

// Subscribed before the batch is created, so no change of its calls can come before the
// subscription (a call may end within a second); each change names its batch, and only the
// batch created below is shown, however many others run in the workspace.
const client = createClient({ url: gateway.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${apiKey}` } });
const early: Change[] = [];
let batchId: string | null = null;
const ended = new Set<string>();
let allEnded = () => {};
const show = ({ conversation, changes }: Change) => {
  if (conversation.batchItem?.batch.id !== batchId) return;
  console.log(`${conversation.id.slice(-12)}  ${conversation.status.padEnd(11)} ${changes.join(', ')}`);
  if (conversation.status === 'ENDED' || conversation.status === 'FAILED') ended.add(conversation.id);
  if (ended.size === 3) allEnded();
};
const done = new Promise<void>((resolve, reject) => {
  allEnded = resolve;
  client.subscribe<{ conversationChanged: Change }>(
    {
      query: `subscription {
        conversationChanged { conversation { id status batchItem { batch { id } } } changes droppedBefore }
      }`,
    },
    {
      next: ({ data }) => {
        if (!data) return;
        if (batchId === null) early.push(data.conversationChanged); // the batch's id is not known yet
        else show(data.conversationChanged);
      },
      error: reject,
      complete: resolve,
    },
  );
});
// graphql-ws subscribes once the connection is acknowledged: wait for that before creating the batch.
await new Promise<void>((resolve) => client.on('connected', () => resolve()));

// A batch of three calls placed with the agent.
const { createConversations: batch } = await post<{ createConversations: { id: string } }>(
  'mutation ($input: CreateConversationsInput!) { createConversations(input: $input) { id } }',
  { input: { conversations: [1, 2, 3].map((n) => ({ agentId, channel: 'PHONE_OUTBOUND', toNumber: `+1415555010${n}`, dynamicVariables: { n } })) } },
);
batchId = batch.id;
for (const change of early.splice(0)) show(change);
await done;
await client.dispose();
