import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { LogLevelName } from './config.ts';

/**
 * A log entry as the handlers and use cases emit it: `level` (`debug` | `info` | `warn` |
 * `error`), `msg`, and correlation fields (`messageId`, `submission`, `key`, …). Only `logTo`
 * knows how entries become log lines, so that code stays free of the logging library.
 */
export type LogEntry = Record<string, unknown>;

/** Where log entries go. */
export type Log = (entry: LogEntry) => void;

/** The CloudWatch namespace of every optally metric (the dimension `service` names the function). */
export const METRICS_NAMESPACE = 'optally';

const METHODS = { debug: 'debug', info: 'info', warn: 'warn', error: 'error' } as const;

/**
 * Routes log entries into a Powertools Logger: `level` picks the Logger level (an unknown or
 * missing one logs at INFO), `msg` becomes `message`, an `Error` under `error` is logged as an
 * error (name, message, stack), every other field is a key of the line.
 *
 * @example logTo(logger)({ level: 'warn', msg: 'ignored: unknown operation', key })
 */
export function logTo(logger: Logger): Log {
  return ({ level, msg, error, ...keys }) => {
    const method = METHODS[String(level).toLowerCase() as keyof typeof METHODS] ?? 'info';
    const message = typeof msg === 'string' ? msg : String(msg);
    logger[method](message, error === undefined ? keys : { ...keys, error });
  };
}

/** A log that adds `keys` (correlation ids) to every entry; they win over the entry's own. */
export function withKeys(log: Log, keys: LogEntry): Log {
  return (entry) => log({ ...entry, ...keys });
}

/** Where a `LineLogger` writes each line, and in which form. */
export type LineSink = {
  /** `json`: the line Lambda would log; `readable`: `time LEVEL message key=value …` for people. */
  format: 'json' | 'readable';
  write: (line: string, level: string) => void;
};

/**
 * A Powertools Logger that hands each finished line to a sink instead of the process's stdout:
 * the local stack prints the same entries readably, tests capture them. Levels, keys, Lambda
 * context and correlation ids behave as in Lambda; only the printing differs.
 */
export class LineLogger extends Logger {
  // Unset while Powertools' constructor runs (it may print warnings then: those go to stdout).
  private sink: LineSink | undefined;

  constructor(sink: LineSink, options: ConstructorOptions = {}) {
    super(options);
    this.sink = sink;
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (!this.sink) {
      super.printLog(logLevel, log);
      return;
    }
    log.prepareForPrint();
    const json = JSON.stringify(log.getAttributes(), this.getJsonReplacer());
    const attributes = JSON.parse(json) as Record<string, unknown>;
    const level = String(attributes.level ?? '');
    this.sink.write(this.sink.format === 'json' ? json : readableLine(attributes), level);
  }
}

/** Keys every Lambda line carries that say nothing locally (one process, no X-Ray). */
const QUIET_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'xray_trace_id',
  'error',
]);

/**
 * One log line for people: `08:00:01.042 WARN  ignored: unknown operation key=incoming/x/BR/a.csv`;
 * an error follows as `error="TypeError: …"` with its stack on the lines below.
 */
export function readableLine(attributes: Record<string, unknown>): string {
  const time = String(attributes.timestamp ?? '').slice(11, 23);
  const level = String(attributes.level ?? '').padEnd(5);
  const parts = [time, level, String(attributes.message ?? '')];
  for (const [key, value] of Object.entries(attributes)) {
    if (!QUIET_KEYS.has(key) && value !== undefined) parts.push(`${key}=${readableValue(value)}`);
  }
  const error = attributes.error;
  if (error === undefined) return parts.join(' ');
  if (typeof error !== 'object' || error === null)
    return [...parts, `error=${readableValue(error)}`].join(' ');
  const { name, message, stack } = error as { name?: string; message?: string; stack?: string };
  const line = [...parts, `error=${readableValue(`${name ?? 'Error'}: ${message ?? ''}`)}`].join(' ');
  const frames = (stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  return frames.length > 0 ? `${line}\n${frames.map((f) => `    ${f.trim()}`).join('\n')}` : line;
}

function readableValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** The Logger and Metrics of one Lambda function: JSON lines and EMF on stdout. */
export function lambdaTelemetry(
  service: string,
  logLevel: LogLevelName,
): { logger: Logger; metrics: Metrics } {
  const logger = new Logger({ serviceName: service, logLevel });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service, logger });
  return { logger, metrics };
}

/** The local stack's Logger: readable lines, warnings and errors on stderr; nothing when quiet. */
export function localLogger(options: { quiet?: boolean | undefined } = {}): Logger {
  return new LineLogger(
    {
      format: 'readable',
      write: (line, level) =>
        (level === 'INFO' || level === 'DEBUG' ? process.stdout : process.stderr).write(`${line}\n`),
    },
    { serviceName: 'optally-local', logLevel: options.quiet ? 'SILENT' : 'INFO' },
  );
}

let fallback: Log | undefined;

/** JSON lines on stdout, for handlers made without a log (tests, benchmarks). */
export function defaultLog(): Log {
  fallback ??= logTo(new Logger({ serviceName: 'optally' }));
  return fallback;
}
