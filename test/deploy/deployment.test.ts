import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, loadWorkspacesFile } from '../../src/config.ts';

// Issue 12, part 1: the Dockerfile and compose.yaml. No Docker engine runs on the test machines,
// so these check what can be checked without one: the files parse, the image runs an entry
// point that exists as a non-root user on Node 22, and the two replicas share one PostgreSQL.

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions (continuations joined, comments dropped), split into stages at each FROM. */
function dockerfileStages(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const logical = text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') stages.push([]);
    stages.at(-1)?.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

describe('Dockerfile', () => {
  const stages = dockerfileStages(read('Dockerfile'));
  const final = stages.at(-1) ?? [];
  const all = (stage: Instruction[], keyword: string) => stage.filter((instruction) => instruction.keyword === keyword).map((i) => i.args);
  const last = (stage: Instruction[], keyword: string) => all(stage, keyword).at(-1);

  it('runs on a Node 22 base image as the unprivileged node user, in production mode', () => {
    expect(stages.map((stage) => last(stage, 'FROM'))).toEqual([
      'node:22-bookworm-slim AS dependencies',
      'node:22-bookworm-slim AS build',
      'node:22-bookworm-slim',
    ]);
    expect(last(final, 'USER')).toBe('node');
    expect(all(final, 'ENV')).toContain('NODE_ENV=production');
  });

  it('installs the production dependencies only, from the lockfile', () => {
    const install = all(stages[0] ?? [], 'RUN').join(' && ');
    expect(install).toContain('npm ci --omit=dev');
    expect(all(final, 'RUN').join(' ')).not.toContain('npm install');
  });

  it('applies the patches that npm ci applies, although its scripts are off', () => {
    // --ignore-scripts skips package.json's postinstall, which is what applies patches/.
    const postinstall = (JSON.parse(read('package.json')) as { scripts: { postinstall: string } }).scripts.postinstall;
    expect(postinstall).toBe('patch-package --error-on-fail');
    expect(all(stages[0] ?? [], 'COPY')).toContain('patches ./patches');
    expect(all(stages[0] ?? [], 'RUN').join(' && ')).toContain(`npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npx ${postinstall}`);
    expect(existsSync(join(REPO_ROOT, 'patches'))).toBe(true);
  });

  it('starts the same entry point as npm start, which exists and is copied into the image', () => {
    const cmd = JSON.parse(last(final, 'CMD') ?? 'null') as string[];
    expect(cmd).toEqual(['node', '--max-semi-space-size=64', 'bin/switchboard.js']);
    expect(existsSync(join(REPO_ROOT, cmd.at(-1)!))).toBe(true);
    expect((JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start).toBe(`exec ${cmd.join(' ')}`);
    // Everything the process reads at run time: the launcher, the schema files, and from the build
    // stage the compiled server and GraphiQL (TypeScript and esbuild are development tools).
    const copied = all(final, 'COPY').filter((args) => !args.startsWith('--from')).map((args) => args.split(/\s+/)[0]);
    expect(copied).toEqual(['package.json', 'bin', 'schema']);
    for (const path of copied) expect(existsSync(join(REPO_ROOT, path!))).toBe(true);
    expect(all(final, 'COPY').filter((args) => args.startsWith('--from=build'))).toEqual([
      '--from=build /app/build ./build',
      '--from=build /app/dist/explorer ./dist/explorer',
    ]);
    expect(all(stages[1] ?? [], 'RUN')).toContain('npm run build && npm run explorer:build');
    // What the build stage compiles from is in the image's build context.
    for (const path of ['tsconfig.json', 'tsconfig.build.json', 'scripts', 'src']) expect(existsSync(join(REPO_ROOT, path))).toBe(true);
    // The build context leaves none of them out.
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    for (const path of [...copied, 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src']) expect(ignored).not.toContain(path);
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as {
    services: Record<string, { image?: string; build?: string; environment?: Record<string, string>; ports?: string[]; volumes?: string[]; depends_on?: Record<string, { condition: string }>; healthcheck?: unknown; stop_grace_period?: string }>;
  };
  const gateways = Object.entries(compose.services).filter(([, service]) => service.build === '.');

  it('runs two gateway replicas of this image and PostgreSQL', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['db', 'gateway-1', 'gateway-2']);
    expect(compose.services.db?.image).toBe('postgres:17');
    expect(compose.services.db?.healthcheck).toBeDefined();
    expect(gateways.map(([name]) => name)).toEqual(['gateway-1', 'gateway-2']);
  });

  it('gives the replicas one database, one workspaces file, their own stable ids and host ports', () => {
    const envs = gateways.map(([, service]) => service.environment ?? {});
    expect(new Set(envs.map((env) => env.DATABASE_URL))).toEqual(new Set(['postgres://switchboard:${POSTGRES_PASSWORD:-switchboard}@db:5432/switchboard']));
    expect(envs.map((env) => env.SWITCHBOARD_REPLICA_ID)).toEqual(['gateway-1', 'gateway-2']);
    expect(envs.map((env) => [env.NODE_ENV, env.SWITCHBOARD_WORKSPACES_FILE])).toEqual([
      ['production', '/config/workspaces.json'],
      ['production', '/config/workspaces.json'],
    ]);
    expect(gateways.map(([, service]) => service.ports)).toEqual([['4001:4000'], ['4002:4000']]);
    expect(gateways.map(([, service]) => service.depends_on?.db?.condition)).toEqual(['service_healthy', 'service_healthy']);
    for (const [, service] of gateways) expect(service.volumes).toEqual(['./deploy/workspaces.json:/config/workspaces.json:ro']);
  });

  it("sets an environment the gateway accepts, and a stop grace longer than the gateway's shutdown bound", () => {
    const env: Record<string, string> = { ...gateways[0]![1].environment, SWITCHBOARD_WORKSPACES_FILE: join(REPO_ROOT, 'deploy/workspaces.example.json') };
    // Compose fills in ${...} with its defaults; the URL is then an ordinary postgres:// URL.
    env.DATABASE_URL = env.DATABASE_URL!.replace('${POSTGRES_PASSWORD:-switchboard}', 'switchboard');
    env.SWITCHBOARD_CORS_ORIGINS = '';
    const { env: parsed, workspaces } = loadConfig(env);
    expect(workspaces?.map((workspace) => workspace.id)).toEqual(['acme']);
    expect(parsed.HOST).toBe('0.0.0.0');
    expect(parsed.SWITCHBOARD_SHUTDOWN_TIMEOUT_MS).toBe(8_000);
    expect(gateways.map(([, service]) => service.stop_grace_period)).toEqual(['15s', '15s']);
    expect(loadWorkspacesFile(join(REPO_ROOT, 'deploy/workspaces.example.json'))).toHaveLength(1);
  });
});
