import { createLogger, type LogLevel, type Logger, type LoggerOptions } from '../logger.ts';

export type LogFormat = 'json' | 'pretty';

/**
 * JSON lines unless asked otherwise; pretty (colours, one readable line per entry) by default only
 * in development on a terminal, so a process whose stderr is piped or collected (tests, containers,
 * CI) always writes JSON.
 */
export function logFormatOf(env: { NODE_ENV: string; LOG_FORMAT?: LogFormat | undefined }, stderrIsTty = process.stderr.isTTY === true): LogFormat {
  return env.LOG_FORMAT ?? (env.NODE_ENV === 'development' && stderrIsTty ? 'pretty' : 'json');
}

/**
 * The process logger: pino JSON lines on stderr, or the same lines through pino-pretty. Redaction
 * happens before pretty printing, so both formats are scrubbed alike. pino-pretty is a development
 * dependency: it is loaded only when asked for, and a production install without it falls back to
 * JSON with a note.
 */
export async function createProcessLogger(
  level: LogLevel,
  format: LogFormat,
  options: LoggerOptions & { /** Where pretty lines go. @default stderr */ prettyDestination?: NodeJS.WritableStream } = {},
): Promise<Logger> {
  if (format === 'json') return createLogger(level, undefined, options);
  let pretty: { write(line: string): unknown };
  try {
    const { build } = await import('pino-pretty');
    const destination = options.prettyDestination ?? 2;
    pretty = build({ messageKey: 'message', destination, sync: true, translateTime: 'SYS:HH:MM:ss.l', colorize: destination === 2 && process.stderr.isTTY === true });
  } catch {
    const logger = createLogger(level, undefined, options);
    logger.warn('LOG_FORMAT=pretty needs pino-pretty (a development dependency); writing JSON lines');
    return logger;
  }
  return createLogger(level, (line) => void pretty.write(line), options);
}
