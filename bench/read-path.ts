/**
 * Read-path benchmark: the README's page of 50 conversations (with agent, prospect, transcript
 * and cost) against the three simulators with upstream latency, at a fixed concurrency.
 * Prints latency percentiles, throughput, upstream requests per query and memory.
 *
 *   npm run bench                      # defaults below
 *   BENCH_QUERIES=1000 BENCH_CONCURRENCY=20 BENCH_UPSTREAM_MS=30 npm run bench
 */
import { startTestGateway } from '../test/support/testGateway.ts';

const queries = Number(process.env.BENCH_QUERIES ?? 300);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 10);
const upstreamMs = Number(process.env.BENCH_UPSTREAM_MS ?? 20);

const QUERY = `{ conversations(first: 50) { totalCount edges { node { id provider status
  agent { name } prospect { name } transcript { messages { speaker text } } cost { totalUsd } } } } }`;

const gw = await startTestGateway({ LOG_LEVEL: 'silent' });
const simulators = Object.values(gw.demo.simulators).filter((s) => s !== null);
for (const sim of simulators) sim.server.setLatency({ minMs: upstreamMs, maxMs: upstreamMs });

// Warm up connections and JIT, then measure from zeroed counters.
for (let i = 0; i < 10; i++) await gw.query(QUERY);
for (const sim of simulators) sim.server.resetStats();

const latencies: number[] = [];
let errors = 0;
let peakRss = 0;
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < queries) {
      next++;
      const t0 = performance.now();
      const { body } = await gw.query(QUERY);
      latencies.push(performance.now() - t0);
      if (body.errors) errors++;
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
  }),
);
const elapsedMs = performance.now() - started;
const upstream = simulators.reduce((sum, sim) => sum + sim.server.stats().total, 0);
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);

console.log(`read path: ${queries} queries of 50 conversations, concurrency ${concurrency}, upstream latency ${upstreamMs} ms`);
console.log(`  latency ms     p50 ${pct(50)}  p95 ${pct(95)}  p99 ${pct(99)}  max ${latencies.at(-1)!.toFixed(1)}`);
console.log(`  throughput     ${((queries / elapsedMs) * 1000).toFixed(1)} queries/s`);
console.log(`  upstream       ${(upstream / queries).toFixed(2)} requests per query (${upstream} in all)`);
console.log(`  errors         ${errors}`);
console.log(`  memory         peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB, heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
await gw.close();
