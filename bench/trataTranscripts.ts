/**
 * Mapping Trata transcripts to the domain, in this process: the seeded demo account's first 100
 * conversations (the simulator's own records, 1,291 messages, Trata's document sample with its
 * repeats among them), zod-parsed once, then mapped again and again: CPU ns per message.
 *
 *   npm run bench:trata-transcripts
 */
import { mapTrataTranscript } from '../src/providers/trata/transcript.ts';
import { trataTranscriptTextSchema } from '../src/providers/trata/wire.ts';
import { DEMO_ACCOUNTS, DEMO_ANCHOR } from '../src/simulators/demoAccounts.ts';
import { seedTrataAccount } from '../src/simulators/trata/seedTrataAccount.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PASSES = Number(process.env.BENCH_PASSES ?? 3000);

const account = seedTrataAccount(DEMO_ACCOUNTS.trata[0], { conversations: 100, anchor: DEMO_ANCHOR });
// Through JSON, as a response body would arrive, then validated as the connector validates it.
const transcripts = (JSON.parse(JSON.stringify(account.conversations.map((c) => c.transcriptText))) as unknown[]).map((wire) => trataTranscriptTextSchema.parse(wire));
const messages = transcripts.reduce((sum, t) => sum + (Array.isArray(t) ? t.length : 0), 0);

const perMessage: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const start = process.cpuUsage();
  for (let pass = 0; pass < PASSES; pass++) for (const transcript of transcripts) mapTrataTranscript(transcript);
  const used = process.cpuUsage(start);
  perMessage.push(((used.user + used.system) * 1000) / PASSES / messages);
}
const sorted = [...perMessage].sort((a, b) => a - b);
console.log(`${transcripts.length} transcripts, ${messages} messages, ${PASSES} passes a round; CPU ns per message (process.cpuUsage), Node ${process.version}`);
console.log(`median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)}   rounds ${perMessage.map((v) => v.toFixed(0)).join(', ')}`);
