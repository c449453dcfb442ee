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

// An Oration agent of the demo workspace, and a batch of three calls placed with it.
const { agents } = await post<{ agents: { edges: { node: { id: string } }[] } }>('{ agents(first: 1, providers: [ORATION]) { edges { node { id } } } }');
const agentId = agents.edges[0]?.node.id;
const { createConversations: batch } = await post<{ createConversations: { id: string } }>(
  'mutation ($input: CreateConversationsInput!) { createConversations(input: $input) { id } }',
  { input: { conversations: [1, 2, 3].map((n) => ({ agentId, channel: 'PHONE_OUTBOUND', toNumber: `+1415555010${n}`, dynamicVariables: { n } })) } },
);

const client = createClient({ url: gateway.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${apiKey}` } });
const ended = new Set<string>();
await new Promise<void>((resolve, reject) => {
  const stop = client.subscribe<{ conversationChanged: { conversation: { id: string; status: string }; changes: string[]; droppedBefore: number } }>(
    {
      query: `subscription ($filter: ConversationChangeFilter) {
        conversationChanged(filter: $filter) { conversation { id status } changes droppedBefore }
      }`,
      variables: { filter: { batchId: batch.id } },
    },
    {
      next: ({ data }) => {
        if (!data) return;
        const { conversation, changes } = data.conversationChanged;
        console.log(`${conversation.id.slice(-12)}  ${conversation.status.padEnd(11)} ${changes.join(', ')}`);
        if (conversation.status === 'ENDED' || conversation.status === 'FAILED') ended.add(conversation.id);
        if (ended.size === 3) {
          stop();
          resolve();
        }
      },
      error: reject,
      complete: resolve,
    },
  );
});
await client.dispose();
