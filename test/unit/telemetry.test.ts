import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadEvent } from '../../events/load-event.ts';
import { API_METRICS, rollupAnswerMetrics } from '../../functions/api/metrics.ts';
import { ConfigError, logLevelEnv, positiveIntegerEnv } from '../../shared/adapters/config.ts';
import { lambda, localContext } from '../../shared/adapters/lambda.ts';
import {
  LineLogger,
  lambdaTelemetry,
  logTo,
  readableLine,
  withKeys,
} from '../../shared/adapters/telemetry.ts';

type Line = Record<string, unknown>;

function capturingLogger(format: 'json' | 'readable' = 'json') {
  const lines: string[] = [];
  const logger = new LineLogger(
    { format, write: (line) => lines.push(line) },
    { serviceName: 'optally-test' },
  );
  return { logger, lines, parsed: () => lines.map((line) => JSON.parse(line) as Line) };
}

describe('log entries routed into the Logger', () => {
  it('logs each entry at the level its `level` field names, its `msg` as the message', () => {
    const { logger, parsed } = capturingLogger();
    const log = logTo(logger);

    log({ level: 'info', msg: 'return accepted', submission: 'KE-1' });
    log({ level: 'warn', msg: 'ignored: unknown operation', key: 'incoming/x/KE/a.csv' });
    log({ level: 'error', msg: 'ingest failed' });

    expect(parsed()).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'return accepted', submission: 'KE-1' }),
      expect.objectContaining({
        level: 'WARN',
        message: 'ignored: unknown operation',
        key: 'incoming/x/KE/a.csv',
      }),
      expect.objectContaining({ level: 'ERROR', message: 'ingest failed' }),
    ]);
  });

  it('logs an entry without a known level at INFO', () => {
    const { logger, parsed } = capturingLogger();

    logTo(logger)({ msg: 'no level given' });

    expect(parsed()).toEqual([expect.objectContaining({ level: 'INFO', message: 'no level given' })]);
  });

  it('logs an Error under `error` with its name, message and stack', () => {
    const { logger, parsed } = capturingLogger();

    logTo(logger)({ level: 'error', msg: 'api error', error: new TypeError('x is undefined') });

    expect(parsed()[0]?.error).toMatchObject({
      name: 'TypeError',
      message: 'x is undefined',
      stack: expect.stringContaining('at '),
    });
  });

  it('adds correlation keys to every entry of a keyed log', () => {
    const { logger, parsed } = capturingLogger();

    withKeys(logTo(logger), { messageId: 'm-1' })({ level: 'info', msg: 'return rejected' });

    expect(parsed()[0]).toMatchObject({ message: 'return rejected', messageId: 'm-1' });
  });

  it('names the Lambda request id on lines logged during an invocation, and the caller’s correlation id', async () => {
    const { logger, parsed } = capturingLogger();
    const log = logTo(logger);
    const handler = lambda(
      async (_event: { requestId: string }) => {
        log({ level: 'info', msg: 'inside' });
        return 'done';
      },
      { logger, correlationId: (event) => event.requestId },
    );
    const context = localContext('optally-api');

    await handler({ requestId: 'api-gw-1' }, context);
    log({ level: 'info', msg: 'after' });

    const [inside, after] = parsed();
    expect(inside).toMatchObject({ function_request_id: context.awsRequestId, correlation_id: 'api-gw-1' });
    expect(after?.correlation_id).toBeUndefined();
  });

  it('logs an error escaping a handler at ERROR and rethrows it', async () => {
    const { logger, parsed } = capturingLogger();
    const handler = lambda(
      async () => {
        throw new Error('bug');
      },
      { logger },
    );

    await expect(handler({}, localContext('optally-ingest'))).rejects.toThrow('bug');

    expect(parsed()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'unhandled error',
        error: expect.objectContaining({ message: 'bug' }),
      }),
    ]);
  });
});

describe('readable log lines (the local stack)', () => {
  it('prints time, level, message, then the keys as key=value', () => {
    const line = readableLine({
      level: 'WARN',
      message: 'ignored: unknown operation',
      timestamp: '2025-11-12T08:00:01.042Z',
      service: 'optally-local',
      function_request_id: 'r-1',
      key: 'incoming/x/BR/a.csv',
      attempt: 2,
      note: 'two words',
    });

    expect(line).toBe(
      '08:00:01.042 WARN  ignored: unknown operation key=incoming/x/BR/a.csv attempt=2 note="two words"',
    );
  });

  it('prints an error as its name and message, its stack frames on the lines below', () => {
    const { logger, lines } = capturingLogger('readable');

    logTo(logger)({ level: 'error', msg: 'ingest failed', messageId: 'm-1', error: new Error('boom') });

    const [first, ...frames] = (lines[0] ?? '').split('\n');
    expect(first).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ERROR ingest failed messageId=m-1 error="Error: boom"$/);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((frame) => frame.startsWith('    at '))).toBe(true);
  });
});

describe('configuration read at cold start', () => {
  it('reads a positive whole number', () => {
    expect(positiveIntegerEnv('MAX_RECEIVES', { MAX_RECEIVES: '5' })).toBe(5);
  });

  it.each(['five', '0', '2.5', '-1', ' 5'])(
    'refuses MAX_RECEIVES=%j, naming the variable and the value',
    (value) => {
      expect(() => positiveIntegerEnv('MAX_RECEIVES', { MAX_RECEIVES: value })).toThrow(
        new ConfigError(
          `Environment variable MAX_RECEIVES is "${value}"; set it to a whole number of at least 1.`,
        ),
      );
    },
  );

  it('refuses a missing MAX_RECEIVES', () => {
    expect(() => positiveIntegerEnv('MAX_RECEIVES', {})).toThrow(/MAX_RECEIVES is not set/);
  });

  it('takes the log level in any case, INFO when unset', () => {
    expect(logLevelEnv({ POWERTOOLS_LOG_LEVEL: 'debug' })).toBe('DEBUG');
    expect(logLevelEnv({})).toBe('INFO');
  });

  it('refuses an unknown log level, listing the choices', () => {
    expect(() => logLevelEnv({ POWERTOOLS_LOG_LEVEL: 'verbose' })).toThrow(
      'Environment variable POWERTOOLS_LOG_LEVEL is "verbose"; set it to one of DEBUG, INFO, WARN, ERROR, SILENT.',
    );
  });
});

describe('the API’s rollup metric (EMF on stdout)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function captureStdout(): () => Line[] {
    const chunks: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    return () =>
      chunks
        .flatMap((chunk) => chunk.split('\n'))
        .filter((line) => line.includes('"_aws"'))
        .map((line) => JSON.parse(line) as Line);
  }

  function apiRequest(path: string): APIGatewayProxyEventV2WithJWTAuthorizer {
    const event = loadEvent('http-api-request');
    return {
      ...event,
      rawPath: path,
      requestContext: {
        ...event.requestContext,
        http: { ...event.requestContext.http, method: 'GET', path },
      },
    };
  }

  function apiHandler(statusCode: number) {
    const { logger } = capturingLogger();
    const { metrics } = lambdaTelemetry('optally-api', 'INFO');
    return lambda(
      async (_event: APIGatewayProxyEventV2WithJWTAuthorizer, _context: Context) => ({ statusCode }),
      {
        logger,
        metrics,
        use: [rollupAnswerMetrics(metrics)],
      },
    );
  }

  it('records a rollup answered 304 as 1 and one answered 200 as 0, one EMF document per request', async () => {
    const emf = captureStdout();

    await apiHandler(304)(apiRequest('/operations/liberterra-iii/rollup'), localContext('optally-api'));
    await apiHandler(200)(apiRequest('/operations/liberterra-iii/rollup'), localContext('optally-api'));

    expect(emf()).toEqual([
      expect.objectContaining({
        _aws: expect.objectContaining({
          CloudWatchMetrics: [
            {
              Namespace: 'optally',
              Dimensions: [['service']],
              Metrics: [{ Name: API_METRICS.rollupNotModified, Unit: 'Count' }],
            },
          ],
        }),
        service: 'optally-api',
        [API_METRICS.rollupNotModified]: 1,
      }),
      expect.objectContaining({ [API_METRICS.rollupNotModified]: 0 }),
    ]);
  });

  it('records nothing for other routes or for refused rollup requests', async () => {
    const emf = captureStdout();

    await apiHandler(200)(apiRequest('/operations/liberterra-iii'), localContext('optally-api'));
    await apiHandler(403)(apiRequest('/operations/liberterra-iii/rollup'), localContext('optally-api'));

    expect(emf()).toEqual([]);
  });
});
