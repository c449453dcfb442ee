import { readFileSync } from 'node:fs';
import { suggestionList } from 'graphql/jsutils/suggestionList.js';
import { z } from 'zod';
import { DEFAULT_EXPORT_STALL_TIMEOUT_MS, resolveExportLimits, type ExportLimits } from './analytics/exports/exportSlots.ts';
import { DEFAULT_FANOUT_TIMING, resolveTiming, UnsafeFanoutTimingError, type FanoutTiming } from './fanout/fanoutTiming.ts';
import { DEMO_CORS_ORIGINS, parseCorsOrigins } from './http/cors.ts';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './http/httpLimits.ts';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './limits/queryLimits.ts';
import { DEFAULT_RESILIENCE_OPTIONS, type ResilienceOptions } from './providers/resilience/providerResilience.ts';
import { DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS, DEFAULT_POSTGRES_STATEMENT_TIMEOUT_MS, DEFAULT_STORE_IDLE_MS, POSTGRES_POOL_CONNECTIONS } from './store/database.ts';
import type { LiveSettings } from './sync/liveServices.ts';
import { headerCredential, providerBaseUrl, workspacesFileSchema, type WorkspaceConfig } from './workspaces/workspaceConfig.ts';

/** Largest request body accepted, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 1_000_000;
/** The embedded store's directory by default; the only one whose missing parent is created. */
export const DEFAULT_DATA_DIR = '.data/pglite';

const WHOLE_NUMBER = /^\d+$/;
const DECIMAL_NUMBER = /^\d+(?:\.\d+)?$/;

/**
 * A number setting as an operator writes one: decimal digits (and a decimal point where `pattern`
 * allows one), blanks around them ignored, then checked by `number`. `z.coerce.number()` alone is
 * `Number(text)`, which took `0x10` as 16, `1e3` as 1000 and an empty or blank value as 0: for
 * SWITCHBOARD_RATE_LIMIT_PER_MINUTE, a limit left empty in a template meant no limit, silently.
 */
function numberSetting<T extends z.ZodType<number, string>>(number: T, message = 'must be a whole number, in decimal digits', pattern = WHOLE_NUMBER) {
  return z.string().trim().min(1, { message: 'is empty: unset it for its default, or set a number', abort: true }).regex(pattern, message).pipe(number);
}

/** A whole number from the environment, at least `min`, with its documented default. */
function count(defaultValue: number, min = 1) {
  return numberSetting(z.coerce.number<string>().int().min(min)).default(defaultValue);
}

/** The longest SWITCHBOARD_SYNC_RETENTION_DAYS: 100 years. */
const MAX_RETENTION_DAYS = 36_500;

/** The longest a Node timer waits; a longer one fires after 1 ms (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2_147_483_647;

/** A duration in milliseconds, at least `min`, at most what a timer can wait. */
function timerMs(min: number) {
  return numberSetting(
    z.coerce
      .number<string>()
      // First, and alone: a value past 2^53 also fails `int` ("at most 9007199254740991"), which said less.
      .max(MAX_TIMER_MS, { message: `must be at most ${MAX_TIMER_MS} ms (about 24.8 days), the longest a Node timer waits`, abort: true })
      .int()
      .min(min),
    'must be a whole number of milliseconds, in decimal digits',
  );
}

/** `timerMs` with its documented default. */
function durationMs(defaultValue: number, min = 1) {
  return timerMs(min).default(defaultValue);
}

/**
 * Configuration from the environment and, for workspaces, an optional JSON file. Everything is
 * parsed with zod up front; a bad value stops the start with a message naming the key, never a
 * crash later on first use.
 */
const envSchema = z.object({
  /** 0 asks for any free port (tests); empty is refused: coerced, it would silently be 0 too (and `0x1F90` 8080). */
  PORT: z
    .string()
    .trim()
    .min(1, { message: 'is empty: unset it for 4000, or set a port (0 for any free one)', abort: true })
    .regex(DECIMAL_NUMBER, 'must be a port number, 0 to 65535')
    .pipe(
      z.coerce
        .number<string>({ error: 'must be a port number, 0 to 65535' })
        .int('must be a whole port number, 0 to 65535')
        .min(0, 'must be a port number, 0 to 65535')
        .max(65535, 'must be a port number, 0 to 65535'),
    )
    .default(4000),
  /** Where to listen; unset means 127.0.0.1 in demo mode (its API keys are public) and 0.0.0.0 otherwise. */
  HOST: z.string().min(1).optional(),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** PostgreSQL for several replicas; unset means the embedded PGlite store. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  /** Where the embedded store keeps its files. */
  SWITCHBOARD_DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  /** How long the embedded store's process stays after its last statement (then it stops, and the next statement starts it). */
  SWITCHBOARD_STORE_IDLE_MS: durationMs(DEFAULT_STORE_IDLE_MS, 100),
  /** JSON file with `{ "workspaces": [...] }`; unset means demo mode. */
  SWITCHBOARD_WORKSPACES_FILE: z.string().min(1).optional(),
  /** Demo mode asked for explicitly: required where a production setting is present (see `checkDemoMode`). */
  // Only `true` or `false`, unlike the other booleans: this override publishes the demo's API keys
  // on a production gateway or a real account, so it must be spelled out, not a `1` or `on` that a
  // template or a copied line left behind.
  SWITCHBOARD_DEMO: z
    .enum(['true', 'false'], { error: 'must be true or false, spelled out (it overrides a safety check)' })
    .transform((value) => value === 'true')
    .optional(),
  /** Seconds a demo call lasts on the Oration simulator (talk time; dialing adds about one). */
  SWITCHBOARD_DEMO_CALL_SECONDS: numberSetting(
    z.coerce.number<string>().positive('must be more than 0 seconds').max(600, 'must be at most 600 seconds'),
    'must be a number of seconds in decimal digits, such as 4 or 0.5',
    DECIMAL_NUMBER,
  ).default(4),
  /** Real provider credentials for the demo workspace: each provider given here uses its real API. */
  ORATION_API_KEY: headerCredential.optional(),
  ORATION_WORKSPACE_ID: headerCredential.optional(),
  ORATION_BASE_URL: providerBaseUrl.default('https://www.oration.ai/api/v2'),
  TRATA_TOKEN: headerCredential.optional(),
  TRATA_BASE_URL: providerBaseUrl.default('https://api.trata.ai'),
  VOICEOS_TOKEN: headerCredential.optional(),
  VOICEOS_BASE_URL: providerBaseUrl.default('https://api.voiceos.ai'),
  /**
   * Origins whose pages may call the API from a browser, comma-separated (see src/http/cors.ts);
   * unset means none, or in demo mode this machine's pages and the hosted Apollo Sandbox.
   */
  SWITCHBOARD_CORS_ORIGINS: z
    .string()
    .transform((text, ctx) => {
      const parsed = parseCorsOrigins(text);
      if ('error' in parsed) {
        ctx.addIssue({ code: 'custom', message: parsed.error });
        return z.NEVER;
      }
      return parsed.origins;
    })
    .optional(),
  /** Introspection and the Sandbox landing page; on by default outside production. */
  SWITCHBOARD_INTROSPECTION: z.stringbool().optional(),
  /** Serve the schema as an Apollo Federation 2 subgraph (docs/explorer.md, Federation). */
  SWITCHBOARD_FEDERATION: z.stringbool().default(false),
  /** Upstream request timeout in milliseconds, per attempt. */
  SWITCHBOARD_UPSTREAM_TIMEOUT_MS: durationMs(10_000),

  // Request and query limits: see src/limits/queryLimits.ts for what each one counts.
  SWITCHBOARD_MAX_BODY_BYTES: count(DEFAULT_MAX_BODY_BYTES),
  SWITCHBOARD_MAX_DEPTH: count(DEFAULT_QUERY_LIMITS.maxDepth),
  SWITCHBOARD_MAX_ALIASES: count(DEFAULT_QUERY_LIMITS.maxAliases, 0),
  SWITCHBOARD_MAX_DIRECTIVES: count(DEFAULT_QUERY_LIMITS.maxDirectives, 0),
  SWITCHBOARD_MAX_TOKENS: count(DEFAULT_QUERY_LIMITS.maxTokens),
  SWITCHBOARD_MAX_SELECTIONS: count(DEFAULT_QUERY_LIMITS.maxSelections),
  SWITCHBOARD_MAX_COST: count(DEFAULT_QUERY_LIMITS.maxCost),
  SWITCHBOARD_MAX_NODE_IDS: count(DEFAULT_QUERY_LIMITS.maxNodeIds),

  // HTTP timeouts and the connection cap: see src/http/httpLimits.ts.
  SWITCHBOARD_HTTP_HEADERS_TIMEOUT_MS: durationMs(DEFAULT_HTTP_LIMITS.headersTimeoutMs),
  SWITCHBOARD_HTTP_REQUEST_TIMEOUT_MS: durationMs(DEFAULT_HTTP_LIMITS.requestTimeoutMs),
  SWITCHBOARD_HTTP_BODY_IDLE_TIMEOUT_MS: durationMs(DEFAULT_HTTP_LIMITS.bodyIdleTimeoutMs),
  SWITCHBOARD_HTTP_KEEP_ALIVE_TIMEOUT_MS: durationMs(DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs),
  SWITCHBOARD_HTTP_MAX_CONNECTIONS: count(DEFAULT_HTTP_LIMITS.maxConnections),

  // Upstream resilience, per provider: see src/providers/resilience/.
  SWITCHBOARD_UPSTREAM_RETRIES: count(DEFAULT_RESILIENCE_OPTIONS.retry.maxRetries, 0),
  SWITCHBOARD_UPSTREAM_RETRY_BASE_MS: durationMs(DEFAULT_RESILIENCE_OPTIONS.retry.baseDelayMs, 0),
  SWITCHBOARD_UPSTREAM_RETRY_MAX_DELAY_MS: durationMs(DEFAULT_RESILIENCE_OPTIONS.retry.maxDelayMs, 0),
  SWITCHBOARD_UPSTREAM_MAX_RETRY_AFTER_MS: durationMs(DEFAULT_RESILIENCE_OPTIONS.retry.maxRetryAfterMs, 0),
  SWITCHBOARD_BREAKER_FAILURES: count(DEFAULT_RESILIENCE_OPTIONS.breaker.failureThreshold),
  SWITCHBOARD_BREAKER_COOLDOWN_MS: durationMs(DEFAULT_RESILIENCE_OPTIONS.breaker.cooldownMs, 0),
  SWITCHBOARD_UPSTREAM_MAX_CONCURRENCY: count(DEFAULT_RESILIENCE_OPTIONS.concurrency.maxConcurrent),
  SWITCHBOARD_UPSTREAM_MAX_QUEUED: count(DEFAULT_RESILIENCE_OPTIONS.concurrency.maxQueued, 0),
  /** How long a SIGTERM/SIGINT waits for operations and provider calls in flight (under Docker's 10 s stop timeout). */
  SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: durationMs(8_000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** `json` lines or `pretty` (pino-pretty); unset means pretty only in development on a terminal. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** How long a stopping gateway answers /readyz with 503 before it closes its listener. */
  SWITCHBOARD_SHUTDOWN_DELAY_MS: durationMs(0, 0),

  // Fan-out and replicas: see src/fanout/fanoutTiming.ts for what each timing does.
  /** Names this replica in dispatch leases; keep it stable across restarts. Default: host name and port. */
  SWITCHBOARD_REPLICA_ID: z.string().min(1).max(200).optional(),
  /** PostgreSQL schema for the store, created when missing; unset means the connection's default. */
  SWITCHBOARD_DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier').optional(),
  /**
   * Connections in this replica's PostgreSQL pool (PGlite has none and ignores it). Everything the
   * replica does with the store shares them; the export cap's default is a third of them, and a cap
   * must stay below them, so at least 2.
   */
  SWITCHBOARD_DATABASE_POOL_SIZE: numberSetting(
    z.coerce.number<string>().int().min(2, 'must be at least 2: the export cap, at least 1, must stay below it'),
    'must be a whole number of connections',
  ).default(POSTGRES_POOL_CONNECTIONS),
  /** PostgreSQL cancels a statement of this replica's after this long (`statement_timeout`); 0 for never. Migrations are exempt. */
  SWITCHBOARD_DATABASE_STATEMENT_TIMEOUT_MS: durationMs(DEFAULT_POSTGRES_STATEMENT_TIMEOUT_MS, 0),
  /** Waiting for a PostgreSQL connection: a new one, or one of the pool's to come free. */
  SWITCHBOARD_DATABASE_CONNECT_TIMEOUT_MS: durationMs(DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS),
  SWITCHBOARD_FANOUT_POLL_MS: durationMs(DEFAULT_FANOUT_TIMING.pollIntervalMs),
  SWITCHBOARD_FANOUT_LEASE_MS: durationMs(DEFAULT_FANOUT_TIMING.leaseMs),
  /** Unset: the create landing window (send window + upstream timeout + provider settle); never less. */
  SWITCHBOARD_FANOUT_RECONCILE_GRACE_MS: timerMs(0).optional(),
  SWITCHBOARD_FANOUT_SEND_WINDOW_MS: durationMs(DEFAULT_FANOUT_TIMING.sendWindowMs),
  SWITCHBOARD_FANOUT_PROVIDER_SETTLE_MS: durationMs(DEFAULT_FANOUT_TIMING.providerSettleMs, 0),
  SWITCHBOARD_FANOUT_DISCOVERY_MS: durationMs(DEFAULT_FANOUT_TIMING.discoveryIntervalMs),

  // The synced store, webhooks and subscriptions: see docs/live.md.
  /**
   * Whether this replica syncs provider accounts into the store (replicas share the work). Unset:
   * on, except with NODE_ENV=test, where a background sync would add upstream requests to tests that count them.
   */
  SWITCHBOARD_SYNC: z.stringbool().optional(),
  /** Between two sync passes over one account. */
  SWITCHBOARD_SYNC_INTERVAL_MS: durationMs(60_000, 100),
  /** Days of conversations the store keeps; unset keeps everything. */
  SWITCHBOARD_SYNC_RETENTION_DAYS: numberSetting(
    z.coerce
      .number<string>()
      .int()
      .min(1, 'must be a whole number of days, 1 or more')
      // Past this the cutoff (now minus the days) is no date at all, and every sync pass failed on it.
      .max(MAX_RETENTION_DAYS, `must be at most ${MAX_RETENTION_DAYS} days (100 years); unset it to keep everything`),
    'must be a whole number of days, 1 or more',
  ).optional(),
  /** Whether transcripts are stored; false keeps them out of the store for privacy. */
  SWITCHBOARD_SYNC_TRANSCRIPTS: z.stringbool().default(true),
  /** Events buffered per subscription before the oldest are dropped (the subscriber is told). */
  SWITCHBOARD_SUBSCRIPTION_BUFFER: count(100),
  /** Open subscriptions per workspace, across its connections. */
  SWITCHBOARD_MAX_SUBSCRIPTIONS_PER_WORKSPACE: count(100),

  /**
   * Requests one workspace may send a replica per minute (GraphQL operations, subscriptions
   * started, exports); 0, the default, sets no limit (src/limits/workspaceRateLimit.ts).
   */
  SWITCHBOARD_RATE_LIMIT_PER_MINUTE: numberSetting(z.coerce.number<string>().int(), 'must be a whole number of requests (0 for no limit)').default(0),

  // Exports (docs/bi.md): see src/analytics/exports/exportSlots.ts.
  /** Exports running at once on this replica. Unset: a third of the PostgreSQL pool (3 of the default 10); 3 on PGlite. */
  SWITCHBOARD_EXPORT_MAX_CONCURRENT: numberSetting(z.coerce.number<string>().int().min(1)).optional(),
  /** Exports running at once for one workspace on this replica. Unset: half the replica's, rounded up. */
  SWITCHBOARD_EXPORT_MAX_PER_WORKSPACE: numberSetting(z.coerce.number<string>().int().min(1)).optional(),
  /** An export whose client reads nothing for this long is aborted. */
  SWITCHBOARD_EXPORT_STALL_TIMEOUT_MS: durationMs(DEFAULT_EXPORT_STALL_TIMEOUT_MS),
});

export type Env = Omit<z.infer<typeof envSchema>, 'HOST' | 'SWITCHBOARD_CORS_ORIGINS'> & {
  HOST: string;
  SWITCHBOARD_CORS_ORIGINS: readonly string[];
};

export interface GatewayConfig {
  env: Env;
  /** Workspaces from the file, or null in demo mode (they are built around the simulators). */
  workspaces: WorkspaceConfig[] | null;
  /** `SWITCHBOARD_*` variables that are set but are no setting (a misspelt name is otherwise silently ignored). */
  unknownSettings: UnknownSetting[];
}

export interface UnknownSetting {
  name: string;
  /** The setting it most likely meant, if one is close (graphql-js's "did you mean" ranking). */
  didYouMean: string[];
}

/** Read by the project's other commands (`npm run bi:sql`), so often in the same environment. */
const SETTINGS_OF_OTHER_TOOLS = new Set(['SWITCHBOARD_BI_SCHEMA']);

/**
 * The `SWITCHBOARD_*` variables in `source` that no setting reads. Warned about, not refused: a
 * setting that a newer gateway added may be set ahead of the upgrade.
 */
function unknownSettingsIn(source: NodeJS.ProcessEnv): UnknownSetting[] {
  const known = Object.keys(envSchema.shape);
  // Compared without the prefix every setting shares, which would make any two look alike.
  const bare = (setting: string) => setting.slice('SWITCHBOARD_'.length);
  const settings = known.filter((setting) => setting.startsWith('SWITCHBOARD_')).map(bare);
  return Object.keys(source)
    .filter((name) => name.startsWith('SWITCHBOARD_') && !known.includes(name) && !SETTINGS_OF_OTHER_TOOLS.has(name))
    .sort()
    .map((name) => ({ name, didYouMean: suggestionList(bare(name), settings).slice(0, 1).map((setting) => `SWITCHBOARD_${setting}`) }));
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const parsedEnv = envSchema.safeParse(source);
  if (!parsedEnv.success) throw new ConfigError(describeIssues('environment variable', parsedEnv.error.issues));
  if ((parsedEnv.data.ORATION_API_KEY === undefined) !== (parsedEnv.data.ORATION_WORKSPACE_ID === undefined)) {
    throw new ConfigError('Invalid configuration: ORATION_API_KEY and ORATION_WORKSPACE_ID must be set together');
  }
  checkDemoMode(parsedEnv.data);
  const demo = parsedEnv.data.SWITCHBOARD_WORKSPACES_FILE === undefined;
  const env: Env = {
    ...parsedEnv.data,
    HOST: parsedEnv.data.HOST ?? (demo ? '127.0.0.1' : '0.0.0.0'),
    SWITCHBOARD_CORS_ORIGINS: parsedEnv.data.SWITCHBOARD_CORS_ORIGINS ?? (demo ? DEMO_CORS_ORIGINS : []),
  };
  if (env.SWITCHBOARD_HTTP_HEADERS_TIMEOUT_MS > env.SWITCHBOARD_HTTP_REQUEST_TIMEOUT_MS) {
    // The headers are part of the request: node:http refuses a headers timeout past the request's.
    throw new ConfigError('Invalid configuration: SWITCHBOARD_HTTP_HEADERS_TIMEOUT_MS must not exceed SWITCHBOARD_HTTP_REQUEST_TIMEOUT_MS');
  }
  if (env.SWITCHBOARD_SHUTDOWN_DELAY_MS >= env.SWITCHBOARD_SHUTDOWN_TIMEOUT_MS) {
    // The delay is spent inside the shutdown bound: at or past it, no stop could ever drain.
    throw new ConfigError('Invalid configuration: SWITCHBOARD_SHUTDOWN_DELAY_MS must be less than SWITCHBOARD_SHUTDOWN_TIMEOUT_MS');
  }
  checkFanoutTiming(env);
  checkExportLimits(env);
  return {
    env,
    workspaces: env.SWITCHBOARD_WORKSPACES_FILE ? loadWorkspacesFile(env.SWITCHBOARD_WORKSPACES_FILE) : null,
    unknownSettings: unknownSettingsIn(source),
  };
}

/** Real provider credentials that make a demo gateway's public key spend a real account. */
const REAL_CREDENTIAL_KEYS = ['ORATION_API_KEY', 'TRATA_TOKEN', 'VOICEOS_TOKEN'] as const;

/**
 * Demo mode publishes its API keys, so it runs only when asked for (`SWITCHBOARD_DEMO=true`) or
 * when nothing says this is a deployment: not under NODE_ENV=production, and not with a real
 * provider credential, which the public `demo-key` would otherwise spend.
 */
function checkDemoMode(env: z.infer<typeof envSchema>): void {
  const configured = env.SWITCHBOARD_WORKSPACES_FILE !== undefined;
  if (configured) {
    if (env.SWITCHBOARD_DEMO === true) {
      throw new ConfigError('Invalid configuration: SWITCHBOARD_DEMO=true and SWITCHBOARD_WORKSPACES_FILE are both set; unset one of them');
    }
    return;
  }
  if (env.SWITCHBOARD_DEMO === true) return;
  const fix = 'Set SWITCHBOARD_WORKSPACES_FILE to your workspaces file, or SWITCHBOARD_DEMO=true to run the demo anyway';
  if (env.SWITCHBOARD_DEMO === false) {
    throw new ConfigError('Invalid configuration: SWITCHBOARD_DEMO=false needs SWITCHBOARD_WORKSPACES_FILE (the workspaces to serve)');
  }
  const reasons = [
    ...(env.NODE_ENV === 'production' ? ['NODE_ENV=production'] : []),
    ...REAL_CREDENTIAL_KEYS.filter((key) => env[key] !== undefined).map((key) => `${key} is set`),
  ];
  if (reasons.length > 0) {
    throw new ConfigError(
      `Refusing to start demo mode (${reasons.join(', ')}): its API key "demo-key" is public, and would open ` +
        `this gateway and any real provider account in the environment. ${fix}.`,
    );
  }
}

/**
 * The export limits the environment sets. The caps left unset follow the pool the store really
 * opened (`createExportRoutes`), so they cannot drift from it; `exportLimitsOf` is what that comes to.
 */
export function exportLimitSettingsOf(env: Env): Partial<ExportLimits> {
  return {
    ...(env.SWITCHBOARD_EXPORT_MAX_CONCURRENT !== undefined && { maxConcurrent: env.SWITCHBOARD_EXPORT_MAX_CONCURRENT }),
    ...(env.SWITCHBOARD_EXPORT_MAX_PER_WORKSPACE !== undefined && { maxPerWorkspace: env.SWITCHBOARD_EXPORT_MAX_PER_WORKSPACE }),
    stallTimeoutMs: env.SWITCHBOARD_EXPORT_STALL_TIMEOUT_MS,
  };
}

/** The export limits a replica runs with: the unset caps from the PostgreSQL pool's size, or from the default one on PGlite (no pool). */
export function exportLimitsOf(env: Env): ExportLimits {
  return resolveExportLimits(exportLimitSettingsOf(env), env.DATABASE_URL === undefined ? POSTGRES_POOL_CONNECTIONS : env.SWITCHBOARD_DATABASE_POOL_SIZE);
}

/**
 * On PostgreSQL every running export holds one of the pool's connections to its end: a cap at or
 * past the pool would let exports take all of them, and GraphQL, sync and the fan-out would wait.
 * A workspace's share past the replica's cap could never be used.
 */
function checkExportLimits(env: Env): void {
  const { maxConcurrent, maxPerWorkspace } = exportLimitsOf(env);
  const pool = env.SWITCHBOARD_DATABASE_POOL_SIZE;
  // The default cap is a third of the pool, and the pool at least 2: only a set cap can reach it.
  if (env.DATABASE_URL !== undefined && maxConcurrent >= pool) {
    throw new ConfigError(
      `Invalid configuration: SWITCHBOARD_EXPORT_MAX_CONCURRENT (${maxConcurrent}) must be less than SWITCHBOARD_DATABASE_POOL_SIZE (${pool}): ` +
        "each running export holds one of the pool's connections, and the rest of the gateway needs some; lower the cap or raise the pool",
    );
  }
  if (maxPerWorkspace > maxConcurrent) {
    const replica = env.SWITCHBOARD_EXPORT_MAX_CONCURRENT === undefined ? `its default, ${maxConcurrent}` : String(maxConcurrent);
    throw new ConfigError(`Invalid configuration: SWITCHBOARD_EXPORT_MAX_PER_WORKSPACE must not exceed SWITCHBOARD_EXPORT_MAX_CONCURRENT (${replica})`);
  }
}

export function liveSettingsOf(env: Env): LiveSettings {
  return {
    sync: env.SWITCHBOARD_SYNC ?? env.NODE_ENV !== 'test',
    syncIntervalMs: env.SWITCHBOARD_SYNC_INTERVAL_MS,
    retentionDays: env.SWITCHBOARD_SYNC_RETENTION_DAYS ?? null,
    keepTranscripts: env.SWITCHBOARD_SYNC_TRANSCRIPTS,
    subscriptionBuffer: env.SWITCHBOARD_SUBSCRIPTION_BUFFER,
    maxSubscriptionsPerWorkspace: env.SWITCHBOARD_MAX_SUBSCRIPTIONS_PER_WORKSPACE,
  };
}

export function queryLimitsOf(env: Env): QueryLimits {
  return {
    maxDepth: env.SWITCHBOARD_MAX_DEPTH,
    maxAliases: env.SWITCHBOARD_MAX_ALIASES,
    maxDirectives: env.SWITCHBOARD_MAX_DIRECTIVES,
    maxTokens: env.SWITCHBOARD_MAX_TOKENS,
    maxSelections: env.SWITCHBOARD_MAX_SELECTIONS,
    maxCost: env.SWITCHBOARD_MAX_COST,
    maxNodeIds: env.SWITCHBOARD_MAX_NODE_IDS,
  };
}

export function httpLimitsOf(env: Env): HttpLimits {
  return {
    headersTimeoutMs: env.SWITCHBOARD_HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: env.SWITCHBOARD_HTTP_REQUEST_TIMEOUT_MS,
    bodyIdleTimeoutMs: env.SWITCHBOARD_HTTP_BODY_IDLE_TIMEOUT_MS,
    keepAliveTimeoutMs: env.SWITCHBOARD_HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: env.SWITCHBOARD_HTTP_MAX_CONNECTIONS,
  };
}

export function resilienceOptionsOf(env: Env): ResilienceOptions {
  return {
    retry: {
      maxRetries: env.SWITCHBOARD_UPSTREAM_RETRIES,
      baseDelayMs: env.SWITCHBOARD_UPSTREAM_RETRY_BASE_MS,
      maxDelayMs: env.SWITCHBOARD_UPSTREAM_RETRY_MAX_DELAY_MS,
      maxRetryAfterMs: env.SWITCHBOARD_UPSTREAM_MAX_RETRY_AFTER_MS,
    },
    breaker: { failureThreshold: env.SWITCHBOARD_BREAKER_FAILURES, cooldownMs: env.SWITCHBOARD_BREAKER_COOLDOWN_MS },
    concurrency: { maxConcurrent: env.SWITCHBOARD_UPSTREAM_MAX_CONCURRENCY, maxQueued: env.SWITCHBOARD_UPSTREAM_MAX_QUEUED },
  };
}

/**
 * How a stop spends SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: first the readiness delay (still serving, with
 * /readyz at 503), then the drain of the requests in flight, which gets only what the delay left
 * (the delay is less than the timeout: loadConfig refuses it otherwise). Given the whole timeout,
 * the drain could run past the bound, which then cut the stop short with the store closing under it.
 */
export function shutdownTimingOf(env: Env): { delayMs: number; drainGraceMs: number } {
  return {
    delayMs: env.SWITCHBOARD_SHUTDOWN_DELAY_MS,
    drainGraceMs: env.SWITCHBOARD_SHUTDOWN_TIMEOUT_MS - env.SWITCHBOARD_SHUTDOWN_DELAY_MS,
  };
}

export function fanoutTimingOf(env: Env): Partial<FanoutTiming> {
  return {
    pollIntervalMs: env.SWITCHBOARD_FANOUT_POLL_MS,
    leaseMs: env.SWITCHBOARD_FANOUT_LEASE_MS,
    upstreamTimeoutMs: env.SWITCHBOARD_UPSTREAM_TIMEOUT_MS,
    sendWindowMs: env.SWITCHBOARD_FANOUT_SEND_WINDOW_MS,
    providerSettleMs: env.SWITCHBOARD_FANOUT_PROVIDER_SETTLE_MS,
    ...(env.SWITCHBOARD_FANOUT_RECONCILE_GRACE_MS !== undefined && { reconcileGraceMs: env.SWITCHBOARD_FANOUT_RECONCILE_GRACE_MS }),
    discoveryIntervalMs: env.SWITCHBOARD_FANOUT_DISCOVERY_MS,
  };
}

/**
 * The fan-out's safety rules, checked at start with the keys named: a reconcile grace or a lease
 * shorter than the window in which a create can still land would let a lookup that misses a
 * late create requeue it, and dial the customer twice.
 */
function checkFanoutTiming(env: Env): void {
  try {
    resolveTiming(fanoutTimingOf(env));
  } catch (error) {
    if (!(error instanceof UnsafeFanoutTimingError)) throw error;
    const key = error.field === 'leaseMs' ? 'SWITCHBOARD_FANOUT_LEASE_MS' : 'SWITCHBOARD_FANOUT_RECONCILE_GRACE_MS';
    const window = 'SWITCHBOARD_FANOUT_SEND_WINDOW_MS + SWITCHBOARD_UPSTREAM_TIMEOUT_MS + SWITCHBOARD_FANOUT_PROVIDER_SETTLE_MS';
    throw new ConfigError(`Invalid configuration: ${key} is too short: ${error.message.replace(/^Fan-out timing \w+ /, '')} (${window})`);
  }
}

/** Every secret the workspaces hold: their API keys and their provider credentials. */
export function credentialsIn(workspaces: readonly WorkspaceConfig[]): string[] {
  return workspaces.flatMap(({ apiKeys, providers: { oration, trata, voiceos }, webhooks }) => [
    ...apiKeys,
    ...(oration ? [oration.apiKey] : []),
    ...(trata ? [trata.token] : []),
    ...(voiceos ? [voiceos.token] : []),
    ...Object.values(webhooks?.signingSecrets ?? {}).filter((secret): secret is string => secret !== undefined),
  ]);
}

export function loadWorkspacesFile(path: string): WorkspaceConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'it is not valid JSON' : 'it cannot be read';
    throw new ConfigError(`Invalid configuration: SWITCHBOARD_WORKSPACES_FILE (${path}): ${reason}`);
  }
  const parsed = workspacesFileSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(describeIssues(`key in ${path}`, parsed.error.issues));
  const seenKeys = new Set<string>();
  const seenIds = new Set<string>();
  for (const [index, workspace] of parsed.data.workspaces.entries()) {
    if (seenIds.has(workspace.id)) throw new ConfigError(`Invalid configuration: workspaces.${index}.id "${workspace.id}" is used twice`);
    seenIds.add(workspace.id);
    for (const [keyIndex, key] of workspace.apiKeys.entries()) {
      if (key.length < 16) {
        throw new ConfigError(`Invalid configuration: workspaces.${index}.apiKeys.${keyIndex} is shorter than 16 characters`);
      }
      if (seenKeys.has(key)) {
        throw new ConfigError(`Invalid configuration: workspaces.${index}.apiKeys.${keyIndex} is also used by another workspace`);
      }
      seenKeys.add(key);
    }
  }
  return parsed.data.workspaces;
}

/** Names every bad key and why, never the value (it may be a secret). */
function describeIssues(what: string, issues: z.core.$ZodIssue[]): string {
  const lines = issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${plainReason(issue)}`);
  return `Invalid configuration, check each ${what}:\n${lines.join('\n')}`;
}

/**
 * An issue in an operator's words. Our own checks say theirs already; zod's defaults read like a
 * type checker's ("Too small: expected string to have >=1 characters", for an empty variable),
 * so the ones a setting meets are said plainly (an operator trial quoted them).
 */
function plainReason(issue: z.core.$ZodIssue): string {
  if (!ZOD_DEFAULT_MESSAGE.test(issue.message)) return issue.message; // one of ours
  if (issue.code === 'too_small' && typeof issue.minimum === 'number') {
    if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
    if (issue.origin === 'number' || issue.origin === 'int') return issue.inclusive ? `must be at least ${issue.minimum}` : `must be greater than ${issue.minimum}`;
    if (issue.origin === 'array') return issue.minimum === 1 ? 'must not be empty' : `must hold at least ${issue.minimum} entries`;
  }
  if (issue.code === 'too_big' && typeof issue.maximum === 'number') {
    if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
    // A whole number past 2^53 - 1 is an `int` issue: zod cannot hold it exactly.
    if (issue.origin === 'number' || issue.origin === 'int') return issue.inclusive ? `must be at most ${issue.maximum}` : `must be less than ${issue.maximum}`;
    if (issue.origin === 'array') return `must hold at most ${issue.maximum} entries`;
  }
  if (issue.code === 'invalid_type') return /received undefined$/.test(issue.message) ? 'is required' : `must be ${article(issue.expected)}`;
  return issue.message;
}

const ZOD_DEFAULT_MESSAGE = /^(?:Too small|Too big|Invalid input): /;

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
