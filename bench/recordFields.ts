/**
 * What reading a listed conversation's fields costs, field by field, in this process: each
 * provider's first page of 100 conversations as its simulator serves it (the seeded demo accounts,
 * over HTTP, as the connector receives them), then each field the README's page query reads
 * validated with the zod schema of just its wire fields and mapped (`recordFields.ts`, what a
 * deferred record does the first time a field is read), again and again: CPU us per page of 100.
 * A page-100 query returns about a third of each provider's page, so a third of these figures is
 * what one query spends on that field.
 *
 *   npm run bench:fields
 */
import type { Conversation } from '../src/domain/types.ts';
import type { RecordFields } from '../src/providers/kit/recordFields.ts';
import { orationConversationFields } from '../src/providers/oration/map.ts';
import { trataConversationFields } from '../src/providers/trata/map.ts';
import { voiceOsConversationFields } from '../src/providers/voiceos/map.ts';
import { createOrationSimulator } from '../src/simulators/oration/orationSimulator.ts';
import { createTrataSimulator } from '../src/simulators/trata/trataSimulator.ts';
import { createVoiceOsSimulator } from '../src/simulators/voiceos/voiceOsSimulator.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PASSES = Number(process.env.BENCH_PASSES ?? 300);
/** The domain fields the README's page query reads (id, provider and createdAt are the record's position). */
const FIELDS = ['status', 'agentRef', 'embeddedAgent', 'prospectRef', 'transcript', 'cost'] as const;

interface Simulator {
  listen(port: number): Promise<string>;
  close(): Promise<void>;
}

/** One page as the simulator serves it (the bench's workspace credentials, bench/read-path.ts). */
async function firstPage(simulator: Simulator, path: string, headers: Record<string, string>, listKey: string): Promise<unknown[]> {
  const base = await simulator.listen(0);
  try {
    const response = await fetch(`${base}${path}`, { headers });
    const body = (await response.json()) as Record<string, unknown>;
    if (response.status !== 200 || !Array.isArray(body[listKey])) throw new Error(`${path} answered ${response.status}`);
    return body[listKey] as unknown[];
  } finally {
    await simulator.close();
  }
}

const noLatency = { latency: { minMs: 0, maxMs: 0 } };
const pages: { provider: string; fields: RecordFields<never, Conversation>; records: unknown[] }[] = [
  {
    provider: 'oration',
    fields: orationConversationFields as unknown as RecordFields<never, Conversation>,
    records: await firstPage(createOrationSimulator(noLatency), '/api/v2/conversations?page=1&limit=100', { 'x-api-key': 'demo-oration-key', 'x-workspace-id': 'demo-oration-workspace' }, 'results'),
  },
  {
    provider: 'trata',
    fields: trataConversationFields as unknown as RecordFields<never, Conversation>,
    records: await firstPage(createTrataSimulator(noLatency), '/v1/conversations?page=1&limit=100', { authorization: 'Bearer demo-trata-token' }, 'data'),
  },
  {
    provider: 'voiceos',
    fields: voiceOsConversationFields as unknown as RecordFields<never, Conversation>,
    records: await firstPage(createVoiceOsSimulator(noLatency), '/v1/conversations?page=0&limit=100', { authorization: 'Bearer demo-voiceos-token' }, 'conversations'),
  },
];

/** Validates and maps `key` of every record, as a deferred record's first read of it does. */
function settleAll(fields: RecordFields<never, Conversation>, records: readonly unknown[], key: (typeof FIELDS)[number]): void {
  const schema = fields.schemaOf(key);
  const mapping = fields.table[key];
  for (const record of records) {
    const parsed = schema.safeParse(record);
    if (!parsed.success) throw new Error(`${key} of a simulator record breaks its schema`);
    mapping.map(parsed.data as never);
  }
}

console.log(`CPU us per page of 100 listed conversations (process.cpuUsage; median of ${ROUNDS} rounds of ${PASSES} passes), Node ${process.version}`);
console.log('');
console.log(`| provider | ${FIELDS.join(' | ')} | all six |`);
console.log(`| --- |${' --- |'.repeat(FIELDS.length + 1)}`);
for (const { provider, fields, records } of pages) {
  const cells = FIELDS.map((key) => {
    const perPage: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const start = process.cpuUsage();
      for (let pass = 0; pass < PASSES; pass++) settleAll(fields, records, key);
      const used = process.cpuUsage(start);
      perPage.push((used.user + used.system) / PASSES);
    }
    return [...perPage].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
  });
  const total = cells.reduce((sum, value) => sum + value, 0);
  console.log(`| ${provider} | ${cells.map((value) => value.toFixed(1)).join(' | ')} | ${total.toFixed(1)} |`);
}
