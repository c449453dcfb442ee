/**
 * Read-path benchmark (`npm run bench`): the gateway against (a) the same schema and resolvers
 * with loaders that do not batch, on a bare graphql-http server, and (b) the floor, hand-written
 * undici code making the same upstream requests and building the same JSON. Each contender runs
 * in a process of its own against ONE simulator process whose every answer takes exactly
 * BENCH_UPSTREAM_MS. For each page size and concurrency: queries/s, p50/p99, CPU ms per query
 * (the contender process's own user + system time, from /proc), upstream requests per query (the
 * simulators' counters), and peak and idle RSS; then the ratios. Before any timing, every
 * contender's answer is checked to be the same JSON.
 *
 *   npm run bench
 *   BENCH_QUERIES=300 BENCH_WARMUP=400 BENCH_UPSTREAM_MS=20 BENCH_PAGES=10,50,100 BENCH_CONCURRENCY=1,10 npm run bench
 *
 * BENCH_RUNS=n (1) starts every contender afresh n times, each run in another order, and reports
 * each ratio's median over the runs: on a shared 2-core machine the same code's ratio moves by 20-40% between runs.
 * BENCH_BASELINE_ROOT=<checkout> adds that checkout's gateway (e.g. `git worktree add /tmp/base <rev>`,
 * node_modules linked, `npm run build` there) as one more contender, for a code change's A/B.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Agent as UndiciAgent, request } from 'undici';
import { gatewayStartArgs, gatewayStartArgsWith } from './gatewayCommand.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const queries = Number(process.env.BENCH_QUERIES ?? 200);
/**
 * Untimed queries before each cell's timed ones, at the cell's concurrency. A contender's CPU per
 * query keeps falling for hundreds of queries after start (V8 optimizing its hot functions, the
 * heap growing to the load): with 20 warm-up queries the gateway read 9.5 ms and the floor 6.9 at
 * page 50, after 2,500 queries 6.2 and 3.4 (BENCHMARKS.md). A server runs warm; so is it measured.
 */
const warmupQueries = Number(process.env.BENCH_WARMUP ?? 400);
const upstreamMs = Number(process.env.BENCH_UPSTREAM_MS ?? 20);
const pages = (process.env.BENCH_PAGES ?? '10,50,100').split(',').map(Number);
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,10').split(',').map(Number);
/**
 * BENCH_RATE=<q/s>[,<q/s>] sends the queries at that fixed rate instead (open loop: one every
 * 1/rate s, however many are still waiting), in place of BENCH_CONCURRENCY. At concurrency 10 a
 * contender takes as many queries a second as it can serve, so the gateway runs near a full core
 * while the floor does not; a fixed rate below both contenders' capacity gives each the same load,
 * and CPU per query then compares the work, not how a saturated process fares (its queries wait
 * for the CPU holding their pages, and the young-generation collections copy more of them).
 */
const rates = process.env.BENCH_RATE ? process.env.BENCH_RATE.split(',').map(Number) : null;
if (rates?.some((rate) => !(rate > 0))) throw new Error(`BENCH_RATE must list positive rates in queries a second, got ${process.env.BENCH_RATE}`);
/** The load levels a cell is measured at: concurrencies, or rates with BENCH_RATE. */
const loadLevels = rates ?? concurrencies;
const loadLabel = (level: number) => (rates ? `${level}/s` : String(level));
/** Times every contender is started afresh and measured (see `main`); the report gives each ratio's median over the runs. */
const runs = Number(process.env.BENCH_RUNS ?? 1);
const API_KEY = 'bench-read-path-key';
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

const QUERY = `query Page($first: Int) { conversations(first: $first) { totalCount edges { node {
  id provider status createdAt agent { name } prospect { name } transcript { messages { speaker text } } cost { currency total } } } } }`;

interface Contender {
  name: string;
  process: ChildProcess;
  url: string;
  idleRssMiB: number;
}

const work = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
const children: ChildProcess[] = [];
const client = new UndiciAgent({ connections: 64, keepAliveTimeout: 30_000 });

function start(name: string, args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; firstLine: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve({ child, firstLine: out.slice(0, newline) });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready:\n${stderr}`)));
  });
}

function procStat(pid: number): { cpuMs: number; rssMiB: number; peakRssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuMs: (ticks * 1000) / TICKS_PER_SECOND, rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

async function waitForHealth(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      const response = await request(url.replace(/\/graphql$/, '/health'), { dispatcher: client });
      await response.body.text();
      if (response.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

async function post(url: string, first: number): Promise<{ status: number; body: unknown }> {
  const response = await request(url, {
    method: 'POST',
    dispatcher: client,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify({ query: QUERY, variables: { first } }),
  });
  return { status: response.statusCode, body: await response.body.json() };
}

const simulatorBases = (urls: Record<string, string>) => Object.values(urls).map((url) => new URL(url).origin);
async function upstreamTotal(bases: string[]): Promise<number> {
  let total = 0;
  for (const base of bases) {
    const response = await request(`${base}/__simulator/stats`, { dispatcher: client });
    total += ((await response.body.json()) as { total: number }).total;
  }
  return total;
}
async function resetUpstream(bases: string[]): Promise<void> {
  for (const base of bases) await (await request(`${base}/__simulator/reset-stats`, { method: 'POST', dispatcher: client })).body.text();
}

interface Cell {
  contender: string;
  first: number;
  /** Queries in flight, or with BENCH_RATE queries a second. */
  level: number;
  qps: number;
  p50: number;
  p99: number;
  cpuMsPerQuery: number;
  upstreamPerQuery: number;
  errors: number;
}

/**
 * `count` queries for a page of `first`: `level` at a time, or with BENCH_RATE one every 1/`level`
 * seconds; each one's latency, and how many failed.
 */
async function load(contender: Contender, first: number, level: number, count: number): Promise<{ latencies: number[]; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  /** One query: its latency kept, and whether it failed. */
  const query = async () => {
    const t0 = performance.now();
    const { status, body } = await post(contender.url, first);
    latencies.push(performance.now() - t0);
    if (status !== 200 || (body as { errors?: unknown }).errors) errors++;
  };
  await (rates ? sendAtRate(query, level, count) : sendAtConcurrency(query, level, count));
  return { latencies, errors };
}

/** Closed loop: `concurrency` queries in flight, the next sent when one is answered. */
async function sendAtConcurrency(query: () => Promise<void>, concurrency: number, count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        await query();
      }
    }),
  );
}

/** Open loop: query `i` is sent at `i / rate` seconds from the start, whether or not the earlier ones were answered. */
async function sendAtRate(query: () => Promise<void>, rate: number, count: number): Promise<void> {
  const sent: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sent.push(query());
  }
  await Promise.all(sent);
}

/**
 * One contender's cell: `warmupQueries`, then `queries`, both at `level` (see `load`). Its CPU is counted
 * until a second after the last answer: a process finishes part of its queries' work after
 * answering them (garbage collection), and that is theirs too. The contenders take their turns
 * one after another, each warmed right before its own, so each is measured under steady load.
 */
async function measure(contender: Contender, bases: string[], first: number, level: number): Promise<Cell> {
  await load(contender, first, level, warmupQueries);
  await resetUpstream(bases);
  const pid = contender.process.pid!;
  const cpuBefore = procStat(pid).cpuMs;
  const started = performance.now();
  const { latencies, errors } = await load(contender, first, level, queries);
  const elapsedMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const cpuMs = procStat(pid).cpuMs - cpuBefore;
  const upstream = await upstreamTotal(bases);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  return {
    contender: contender.name,
    first,
    level,
    qps: (queries / elapsedMs) * 1000,
    p50: pct(50),
    p99: pct(99),
    cpuMsPerQuery: cpuMs / queries,
    upstreamPerQuery: upstream / queries,
    errors,
  };
}

async function main(): Promise<void> {
  const { firstLine } = await start('simulators', ['--import', 'tsx', 'bench/readPath/simulatorProcess.ts'], {
    SIM_LATENCY_MS: String(upstreamMs),
  });
  const urls = JSON.parse(firstLine) as { oration: string; trata: string; voiceos: string };
  const bases = simulatorBases(urls);
  const workspacesFile = join(work, 'workspaces.json');
  writeFileSync(
    workspacesFile,
    JSON.stringify({
      workspaces: [
        {
          id: 'bench',
          apiKeys: [API_KEY],
          providers: {
            oration: { baseUrl: `${urls.oration}/api/v2`, apiKey: 'demo-oration-key', workspaceId: 'demo-oration-workspace' },
            trata: { baseUrl: urls.trata, token: 'demo-trata-token' },
            voiceos: { baseUrl: urls.voiceos, token: 'demo-voiceos-token' },
          },
        },
      ],
    }),
  );
  const common = { NODE_ENV: 'production', LOG_LEVEL: 'silent', SWITCHBOARD_WORKSPACES_FILE: workspacesFile, HOST: '127.0.0.1' };
  const specs: ContenderSpec[] = [
    // As `npm start` runs it (its node flags, bin/switchboard.js: Node's own type stripping). Sync off:
    // its passes (every minute) would add upstream requests and CPU that no query asked for.
    { name: 'gateway', port: 4801, args: gatewayStartArgs(ROOT), env: { SWITCHBOARD_DATA_DIR: join(work, 'pglite'), SWITCHBOARD_SYNC: 'false' } },
    { name: 'unbatched', port: 4802, args: ['--import', 'tsx', 'bench/readPath/unbatchedServer.ts'], env: {} },
    { name: 'floor', port: 4803, args: ['--import', 'tsx', 'bench/readPath/floorServer.ts'], env: {} },
  ];
  // BENCH_GATEWAY_VARIANT="<node flags>" adds the gateway once more, started with those flags
  // (e.g. a V8 heap setting), measured in the same run as the plain gateway; "<flags>|<flags>"
  // adds one gateway per set, so several variants are compared in one run.
  const variants = (process.env.BENCH_GATEWAY_VARIANT ?? '').split('|').map((flags) => flags.split(' ').filter(Boolean)).filter((flags) => flags.length > 0);
  variants.forEach((variantFlags, index) => {
    specs.push({
      name: `gateway ${variantFlags.join(' ')}`,
      port: 4804 + index,
      args: gatewayStartArgsWith(ROOT, variantFlags),
      env: { SWITCHBOARD_DATA_DIR: join(work, `pglite-variant-${index}`), SWITCHBOARD_SYNC: 'false' },
    });
  });
  // BENCH_BASELINE_ROOT=<checkout> adds the gateway of another checkout (a worktree of an earlier
  // commit, built), started as that checkout's `npm start` starts it: a code change measured
  // against what it changed, in the same run, with the same simulators and load.
  const baselineRoot = process.env.BENCH_BASELINE_ROOT;
  if (baselineRoot) {
    const revision = execFileSync('git', ['-C', baselineRoot, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    specs.push({
      name: `gateway ${revision}`,
      port: 4804 + variants.length,
      args: gatewayStartArgs(baselineRoot),
      env: { SWITCHBOARD_DATA_DIR: join(work, 'pglite-baseline'), SWITCHBOARD_SYNC: 'false' },
      cwd: baselineRoot,
    });
  }
  // BENCH_FLOOR_VARIANT="<node flags>" adds the floor once more with those flags: whether a V8 setting
  // the gateway's start script adopts would help hand-written code as much (a ratio's fairness).
  const floorFlags = (process.env.BENCH_FLOOR_VARIANT ?? '').split(' ').filter(Boolean);
  if (floorFlags.length > 0) {
    specs.push({ name: `floor ${floorFlags.join(' ')}`, port: 4804 + variants.length + 1, args: [...floorFlags, '--import', 'tsx', 'bench/readPath/floorServer.ts'], env: {} });
  }
  // BENCH_RUNS=<n> starts every contender afresh n times; the verdict is the median of the runs.
  const results: RunResult[] = [];
  for (let run = 0; run < runs; run++) {
    const contenders = await startContenders(specs, common, run);
    if (run === 0) await checkSameAnswers(contenders);
    const cells: Cell[] = [];
    for (const first of pages) {
      for (const level of loadLevels) {
        // Each run starts with another contender, so a slow minute of a shared machine does not fall on the same one every run.
        for (let turn = 0; turn < contenders.length; turn++) {
          cells.push(await measure(contenders[(run + turn) % contenders.length]!, bases, first, level));
        }
      }
    }
    const memory = contenders.map((c) => ({ name: c.name, idleRssMiB: c.idleRssMiB, peakRssMiB: procStat(c.process.pid!).peakRssMiB }));
    results.push({ cells, memory });
    await Promise.all(contenders.map((c) => stopChild(c.process)));
  }
  report(results);
}

interface ContenderSpec {
  name: string;
  port: number;
  args: string[];
  env: Record<string, string>;
  /** Where it runs from: this checkout, or `BENCH_BASELINE_ROOT`'s. */
  cwd?: string;
}

interface RunResult {
  cells: Cell[];
  memory: { name: string; idleRssMiB: number; peakRssMiB: number }[];
}

/**
 * BENCH_CONTENDER_LOGS=<dir> keeps each contender's standard output in <dir>/<contender>.log (else
 * dropped): with `BENCH_GATEWAY_VARIANT="--trace-gc"`, one line per collection of that gateway,
 * with the heap before and after it (the per-collection view gcTime's totals do not give).
 */
const contenderLogs = process.env.BENCH_CONTENDER_LOGS;
if (contenderLogs) mkdirSync(contenderLogs, { recursive: true });

async function startContenders(specs: ContenderSpec[], common: Record<string, string>, run: number): Promise<Contender[]> {
  const contenders: Contender[] = [];
  for (const spec of specs) {
    // BENCH_PROFILE=<dir> writes each contender's CPU profile there when it exits.
    const profileName = runs > 1 ? `${spec.name}-run${run + 1}` : spec.name;
    const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`, `--cpu-prof-name=${profileName}.cpuprofile`] : [];
    const dataDir = spec.env.SWITCHBOARD_DATA_DIR ? { SWITCHBOARD_DATA_DIR: `${spec.env.SWITCHBOARD_DATA_DIR}-${run + 1}` } : {};
    const child = spawn(process.execPath, [...profile, ...spec.args], {
      cwd: spec.cwd ?? ROOT,
      env: { ...process.env, ...common, ...spec.env, ...dataDir, PORT: String(spec.port) },
      stdio: ['ignore', contenderLogs ? 'pipe' : 'ignore', 'inherit'],
    });
    children.push(child);
    if (contenderLogs) child.stdout!.pipe(createWriteStream(join(contenderLogs, `${profileName.replace(/[^\w.-]+/g, '_')}.log`)));
    const url = `http://127.0.0.1:${spec.port}/graphql`;
    if (spec.name.startsWith('gateway')) await waitForHealth(url);
    else await waitForReady(url);
    // Idle: started, nothing asked yet; give start-up work (migrations, JIT of start-up code) a moment.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    contenders.push({ name: spec.name, process: child, url, idleRssMiB: procStat(child.pid!).rssMiB });
  }
  return contenders;
}

/** Same answer from every contender before anything is timed. */
async function checkSameAnswers(contenders: Contender[]): Promise<void> {
  for (const first of pages) {
    const answers = await Promise.all(contenders.map(async (c) => ({ name: c.name, ...(await post(c.url, first)) })));
    const [reference] = answers;
    for (const answer of answers) {
      if (answer.status !== 200 || !isDeepStrictEqual(answer.body, reference!.body)) {
        writeFileSync(join(ROOT, `bench-answer-${answer.name}-${first}.json`), JSON.stringify(answer.body, null, 2));
        writeFileSync(join(ROOT, `bench-answer-${reference!.name}-${first}.json`), JSON.stringify(reference!.body, null, 2));
        throw new Error(`${answer.name} answers first: ${first} differently from ${reference!.name} (both written to bench-answer-*.json)`);
      }
    }
    const edges = (reference!.body as { data: { conversations: { edges: unknown[] } } }).data.conversations.edges.length;
    if (edges !== first) throw new Error(`first: ${first} answered ${edges} conversations`);
  }
}

function stopChild(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGTERM'))));
}

async function waitForReady(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      const { status } = await post(url, 1);
      if (status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

function report(results: RunResult[]): void {
  const f = (n: number, digits = 1) => n.toFixed(digits);
  const median = (values: number[]) => {
    const sorted = [...values].sort((x, y) => x - y);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  const lines: string[] = [];
  lines.push(
    `read path: ${results.length} run(s), ${queries} queries per cell after ${warmupQueries} untimed, upstream latency ${upstreamMs} ms (fixed), ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}`,
  );
  lines.push(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  lines.push('');
  const levelHeading = rates ? 'rate' : 'conc.';
  lines.push(`| run | page | ${levelHeading} | contender | queries/s | p50 ms | p99 ms | CPU ms/query | upstream req/query | errors |`);
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  results.forEach(({ cells }, run) => {
    for (const c of cells) {
      lines.push(`| ${run + 1} | ${c.first} | ${loadLabel(c.level)} | ${c.contender} | ${f(c.qps)} | ${f(c.p50)} | ${f(c.p99)} | ${f(c.cpuMsPerQuery, 2)} | ${f(c.upstreamPerQuery, 2)} | ${c.errors} |`);
    }
  });
  lines.push('');
  lines.push('Ratios: the median of the runs, then each run.');
  lines.push('');
  lines.push(`| page | ${levelHeading} | gateway CPU / floor CPU | each run | gateway queries/s / unbatched | gateway queries/s / floor |`);
  lines.push('| --- | --- | --- | --- | --- | --- |');
  for (const first of pages) {
    for (const level of loadLevels) {
      const perRun = results.map(({ cells }) => {
        const of = (name: string) => cells.find((c) => c.first === first && c.level === level && c.contender === name)!;
        const [g, u, fl] = [of('gateway'), of('unbatched'), of('floor')];
        return {
          cpu: g.cpuMsPerQuery / fl.cpuMsPerQuery,
          vsUnbatched: g.qps / u.qps,
          vsFloor: g.qps / fl.qps,
        };
      });
      const each = perRun.map((r) => f(r.cpu, 2)).join(', ');
      lines.push(
        `| ${first} | ${loadLabel(level)} | ${f(median(perRun.map((r) => r.cpu)), 2)} | ${each} | ${f(median(perRun.map((r) => r.vsUnbatched)), 2)} | ${f(median(perRun.map((r) => r.vsFloor)), 2)} |`,
      );
    }
  }
  lines.push('');
  lines.push('| contender | idle RSS MiB (after start, before any query; median of runs) | peak RSS MiB (median) |');
  lines.push('| --- | --- | --- |');
  for (const { name } of results[0]!.memory) {
    const of = (pick: (m: RunResult['memory'][number]) => number) => median(results.map((r) => pick(r.memory.find((m) => m.name === name)!)));
    lines.push(`| ${name} | ${f(of((m) => m.idleRssMiB), 0)} | ${f(of((m) => m.peakRssMiB), 0)} |`);
  }
  console.log(lines.join('\n'));
}

try {
  await main();
} finally {
  await Promise.all(children.map(stopChild));
  await client.close();
  rmSync(work, { recursive: true, force: true });
}
