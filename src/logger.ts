/**
 * A small structured logger: one JSON object per line on stderr. It never receives credentials
 * (callers log names and codes, not headers or bodies), and `redact` scrubs anything shaped like
 * one from free text as a second line of defence.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

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

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line),
  options: LoggerOptions = {},
): Logger {
  const secrets = [...new Set(options.secrets ?? [])].filter((secret) => secret.length >= 6).sort((a, b) => b.length - a.length);
  const log = (at: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[at] < ORDER[level]) return;
    const entry = { time: new Date().toISOString(), level: at, message: redact(message), ...redactFields(fields) };
    let line = JSON.stringify(entry);
    // After serialization, so secrets nested in objects or escaped in JSON are caught as well.
    for (const secret of secrets) line = line.replaceAll(JSON.stringify(secret).slice(1, -1), '[redacted]');
    write(`${line}\n`);
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
