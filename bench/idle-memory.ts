/**
 * Where the gateway's memory goes before its first query (`npm run bench:memory`): resident set
 * size of the gateway started as `npm start` starts it (bin/switchboard.js), in a process of its
 * own, with every process it started (the embedded store's process while it runs), 3 s after
 * /health first answers and again when idle (BENCH_SETTLE_SECONDS, 30 by default),
 * in configurations that add one part at a time: Node alone, the gateway
 * on its own (store in PostgreSQL, outside the process, when TEST_DATABASE_URL or DATABASE_URL
 * is set), the embedded store, the demo's simulators and data, and the embedded store once a
 * batch has opened it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gatewayStartArgs } from './gatewayCommand.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'switchboard-memory-'));
const children: ChildProcess[] = [];
const KEY = 'bench-memory-key-0001';
const postgres = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** `pid` and every process under it (the embedded store's process, while it runs), from /proc. */
function processTree(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the 4th field, after the command name in parentheses (which may hold spaces).
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  return tree;
}

/** RSS of the gateway and of everything it started (the memory the machine gives it), and of the gateway alone. */
function readingOf(pid: number): Reading {
  const tree = processTree(pid);
  let total = 0;
  for (const member of tree) {
    try {
      total += rssMiB(member);
    } catch {
      // exited between the two reads
    }
  }
  return { total, own: rssMiB(pid), processes: tree.length };
}

interface Reading {
  total: number;
  own: number;
  processes: number;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function run(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

async function healthy(port: number): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  throw new Error(`nothing answered on port ${port}`);
}

/**
 * Resident set size 3 s after start, and again once V8's memory reducer has run (it shrinks the
 * young generation and compacts once the process has been idle for some seconds; about 20 s here).
 */
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 30);

// BENCH_NODE_FLAGS="<flags>|<flags>|…" measures each configuration once per set of node flags
// (each replacing the start script's flags; "-" for none), alternating, BENCH_REPEAT times (1),
// and BENCH_CONFIGS="<words>" keeps only the configurations whose name contains one of them:
// how flags are weighed against each other before one goes into the start script.
const startArgs = gatewayStartArgs(ROOT);
const flagSets: (string[] | null)[] = process.env.BENCH_NODE_FLAGS
  ? process.env.BENCH_NODE_FLAGS.split('|').map((set) => set.trim().split(' ').filter((flag) => flag && flag !== '-'))
  : [null];
const REPEAT = Number(process.env.BENCH_REPEAT ?? 1);
const configFilter = process.env.BENCH_CONFIGS?.split(',').map((word) => word.trim()).filter(Boolean);

async function gateway(port: number, env: Record<string, string>, afterStart?: () => Promise<void>, flags: string[] | null = null): Promise<[Reading, Reading]> {
  // As `npm start` runs it: its node flags, bin/switchboard.js, Node's own type stripping, no loader.
  const args = flags === null ? startArgs : [...flags, startArgs[startArgs.length - 1]!];
  const child = run(args, { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), ...env });
  await healthy(port);
  await afterStart?.();
  await sleep(3000);
  const early = readingOf(child.pid!);
  await sleep((SETTLE_SECONDS - 3) * 1000);
  const settled = readingOf(child.pid!);
  await stop(child);
  return [early, settled];
}

async function main(): Promise<void> {
  const rows: [string, [Reading, Reading] | [Reading]][] = [];
  const baseline = run(['-e', 'setInterval(() => {}, 1000)'], {});
  await sleep(3000);
  rows.push(['node, nothing loaded', [readingOf(baseline.pid!)]]);
  await stop(baseline);

  const simulators = run(['--import', 'tsx', 'bench/readPath/simulatorProcess.ts'], { SIM_LATENCY_MS: '0' });
  const urls = await new Promise<{ oration: string; trata: string; voiceos: string }>((resolve) =>
    simulators.stdout!.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()) as never)),
  );
  const file = join(work, 'workspaces.json');
  writeFileSync(
    file,
    JSON.stringify({
      workspaces: [
        {
          id: 'bench',
          apiKeys: [KEY],
          providers: {
            oration: { baseUrl: `${urls.oration}/api/v2`, apiKey: 'demo-oration-key', workspaceId: 'demo-oration-workspace' },
            trata: { baseUrl: urls.trata, token: 'demo-trata-token' },
            voiceos: { baseUrl: urls.voiceos, token: 'demo-voiceos-token' },
          },
        },
      ],
    }),
  );
  const configured = { SWITCHBOARD_WORKSPACES_FILE: file };
  let nextPort = 4810;
  let round = 0;
  // Each configuration gets a port of its own and, per round and flag set, data directories of its own.
  type Measure = (flags: string[] | null, dirs: string) => Promise<[Reading, Reading]>;
  const configurations: [string, Measure][] = [];
  if (postgres) {
    configurations.push(
      ['gateway, store in PostgreSQL (outside the process), sync off', (flags) =>
        gateway(nextPort++, { ...configured, DATABASE_URL: postgres, SWITCHBOARD_DATABASE_SCHEMA: 'bench_memory', SWITCHBOARD_SYNC: 'false' }, undefined, flags)],
      ['gateway, store in PostgreSQL (outside the process), sync on', (flags) =>
        gateway(nextPort++, { ...configured, DATABASE_URL: postgres, SWITCHBOARD_DATABASE_SCHEMA: 'bench_memory' }, undefined, flags)],
    );
  }
  configurations.push(
    ['gateway + embedded store, sync off', (flags, dirs) =>
      gateway(nextPort++, { ...configured, SWITCHBOARD_DATA_DIR: join(dirs, 'sync-off'), SWITCHBOARD_SYNC: 'false' }, undefined, flags)],
    ['gateway + embedded store (sync on, the default), new data directory', (flags, dirs) =>
      gateway(nextPort++, { ...configured, SWITCHBOARD_DATA_DIR: join(dirs, 'configured') }, undefined, flags)],
    ['gateway + embedded store (sync on), existing data directory', (flags, dirs) =>
      gateway(nextPort++, { ...configured, SWITCHBOARD_DATA_DIR: join(dirs, 'configured') }, undefined, flags)],
    ['gateway + embedded store, after one batch opened the store', (flags, dirs) => {
      const port = nextPort++;
      return gateway(port, { ...configured, SWITCHBOARD_DATA_DIR: join(dirs, 'configured') }, async () => {
        await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
          body: JSON.stringify({ query: '{ batches(first: 1) { nodes { id } } }' }),
        });
      }, flags);
    }],
    ['demo mode (simulators and demo data in the process) + embedded store, new', (flags, dirs) => {
      mkdirSync(join(dirs, 'demo'), { recursive: true });
      return gateway(nextPort++, { NODE_ENV: 'development', SWITCHBOARD_DATA_DIR: join(dirs, 'demo', 'pglite') }, undefined, flags);
    }],
    ['demo mode + embedded store, existing', (flags, dirs) =>
      gateway(nextPort++, { NODE_ENV: 'development', SWITCHBOARD_DATA_DIR: join(dirs, 'demo', 'pglite') }, undefined, flags)],
  );
  const chosen = configurations.filter(([name]) => !configFilter || configFilter.some((word) => name.includes(word)));
  const readings = new Map<string, [Reading, Reading][]>();
  for (let repeat = 0; repeat < REPEAT; repeat++) {
    for (const flags of flagSets) {
      const dirs = join(work, `round-${round++}`);
      mkdirSync(dirs);
      for (const [name, measure] of chosen) {
        const key = flags === null ? name : `${name}, flags: ${flags.join(' ') || '(none)'}`;
        readings.set(key, [...(readings.get(key) ?? []), await measure(flags, dirs)]);
      }
    }
  }
  for (const [key, taken] of readings) {
    // The median run by its settled total, whole (its parts belong together).
    const median = [...taken].sort((a, b) => a[1].total - b[1].total)[Math.floor(taken.length / 2)]!;
    rows.push([key, median]);
    if (taken.length > 1) console.log(`${key}: ${taken.map(([early, settled]) => `${early.total.toFixed(0)}/${settled.total.toFixed(0)}`).join(', ')}`);
  }
  await stop(simulators);

  // "Processes" counts the gateway and what it started: 2 while the embedded store's process runs.
  console.log(
    `| configuration | RSS MiB 3 s after start (processes) | RSS MiB ${SETTLE_SECONDS} s after start, idle, before any query (processes) | of which the gateway's own process |`,
  );
  console.log('| --- | --- | --- | --- |');
  const cell = (reading: Reading | undefined) => (reading ? `${reading.total.toFixed(0)} (${reading.processes})` : '-');
  for (const [name, [early, settled]] of rows) console.log(`| ${name} | ${cell(early)} | ${cell(settled)} | ${settled?.own.toFixed(0) ?? '-'} |`);
}

try {
  await main();
} finally {
  await Promise.all(children.map(stop));
  rmSync(work, { recursive: true, force: true, maxRetries: 5 });
}
