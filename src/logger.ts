import { pino } from 'pino';

/**
 * The gateway's structured logger: pino, one JSON object per line on stderr (`level` as a word,
 * `time` as ISO 8601, the text under `message`). It never receives credentials (callers log names
 * and codes, not headers or bodies), and redaction scrubs anything shaped like one as a second
 * line of defence: fields named like secrets, bearer tokens and key=value pairs in free text, and
 * the configured secrets by value in the finished line.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  /**
   * Exact values to scrub from every line (the configured API keys and provider credentials),
   * whatever shape the text around them has. Values shorter than 6 characters are ignored: they
   * would scrub ordinary words.
   */
  secrets?: readonly string[];
}

/**
 * @param write receives each finished line (with its newline), already redacted: stderr by
 *   default, a test's array, or a pretty printer (`src/observability/logging.ts`).
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line),
  options: LoggerOptions = {},
): Logger {
  const secrets = [...new Set(options.secrets ?? [])].filter((secret) => secret.length >= 6).sort((a, b) => b.length - a.length);
  const destination = {
    write(line: string) {
      // After serialization, so secrets nested in objects or escaped in JSON are caught as well.
      for (const secret of secrets) line = line.replaceAll(JSON.stringify(secret).slice(1, -1), '[redacted]');
      write(line);
    },
  };
  const base = pino(
    {
      level,
      base: undefined,
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: redactFields },
    },
    destination,
  );
  const log = (at: Exclude<LogLevel, 'silent'>) => (message: string, fields: Record<string, unknown> = {}) => {
    base[at](fields, redact(message));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

const SECRET_KEYS = /authorization|api[-_]?key|token|secret|password|credential/i;

function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = SECRET_KEYS.test(key) ? '[redacted]' : typeof value === 'string' ? redact(value) : value;
  }
  return out;
}

/** Scrubs bearer tokens and key=value secrets from free text. */
export function redact(text: string): string {
  return text
    .replace(/(Bearer\s+)[^\s"']+/gi, '$1[redacted]')
    .replace(/((?:api[-_]?key|token|secret|password)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, '$1[redacted]');
}
