/**
 * graphql-js completing a page of transcript messages (100 conversations of 27 messages, each
 * `{ speaker text }`, `speaker` through a one-parameter resolver as the gateway's is), against
 * building the same answer by hand, in this process: ns per message. With
 * BENCH_GRAPHQL_BASELINE=<directory of another graphql package> (e.g. graphql 16.15.0 as
 * released: `npm pack graphql@16.15.0` and unpack it) that package runs the same query too, so
 * the patch in patches/ is measured against what it patched (docs/design.md, BENCHMARKS.md).
 *
 *   npm run bench:graphql-lists
 *   BENCH_GRAPHQL_BASELINE=/tmp/pristine/package npm run bench:graphql-lists
 */
import { createRequire } from 'node:module';
import type * as GraphQL from 'graphql';

const require = createRequire(import.meta.url);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);
const MESSAGES = 100 * 27;

function contender(graphql: typeof GraphQL): () => unknown {
  const schema = graphql.buildSchema(`
    enum Speaker { AGENT CUSTOMER UNKNOWN }
    type TranscriptMessage { speaker: Speaker! text: String! }
    type Transcript { messages: [TranscriptMessage!]! }
    type Conversation { id: ID! transcript: Transcript }
    type Query { conversations: [Conversation!]! }
  `);
  const speaker = (schema.getType('TranscriptMessage') as GraphQL.GraphQLObjectType).getFields().speaker!;
  speaker.resolve = (message: { speaker: { value: string } }) => message.speaker.value;
  const document = graphql.parse('{ conversations { id transcript { messages { speaker text } } } }');
  return () => graphql.execute({ schema, document, rootValue: { conversations } });
}

const conversations = Array.from({ length: 100 }, (_, i) => ({
  id: `conversation-${i}`,
  transcript: {
    messages: Array.from({ length: 27 }, (_, j) => ({ id: null, speaker: { value: j % 2 ? 'AGENT' : 'CUSTOMER', raw: j % 2 ? 'AI' : 'USER' }, text: `Message ${j} of conversation ${i}`, at: new Date(0) })),
  },
}));
const byHand = () => ({
  data: {
    conversations: conversations.map((c) => ({ id: c.id, transcript: { messages: c.transcript.messages.map((m) => ({ speaker: m.speaker.value, text: m.text })) } })),
  },
});

const contenders: [string, () => unknown][] = [['graphql (installed, patched)', contender(require('graphql') as typeof GraphQL)], ['by hand', byHand]];
const baseline = process.env.BENCH_GRAPHQL_BASELINE;
if (baseline) contenders.splice(1, 0, [`graphql (${baseline})`, contender(require(baseline) as typeof GraphQL)]);

// Same answer first: a faster contender that answers differently measures nothing.
const reference = JSON.stringify(byHand());
for (const [name, run] of contenders) {
  if (JSON.stringify(run()) !== reference) throw new Error(`${name} answers differently from the hand-built answer`);
}
const perMessage: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of contenders) {
    const start = process.cpuUsage();
    for (let i = 0; i < QUERIES; i++) run();
    const used = process.cpuUsage(start);
    (perMessage[name] ??= []).push(((used.user + used.system) * 1000) / QUERIES / MESSAGES);
  }
}
console.log(`${ROUNDS} rounds of ${QUERIES} queries, ${MESSAGES} messages each; CPU ns per message (process.cpuUsage), Node ${process.version}`);
for (const [name, values] of Object.entries(perMessage)) {
  const sorted = [...values].sort((a, b) => a - b);
  console.log(`${name.padEnd(48)} median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0).padStart(5)}   rounds ${values.map((v) => v.toFixed(0)).join(', ')}`);
}
