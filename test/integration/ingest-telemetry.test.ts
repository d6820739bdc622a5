import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { objectCreated, sqsEventOf } from '../../events/load-event.ts';
import { makeIngestHandler } from '../../functions/ingest/ingest.ts';
import { INGEST_METRICS, MeteredRepository, recordRefresh } from '../../functions/ingest/metrics.ts';
import { documentClient } from '../../shared/adapters/aws-clients.ts';
import { lambda, localContext } from '../../shared/adapters/lambda.ts';
import { LineLogger, lambdaTelemetry, logTo } from '../../shared/adapters/telemetry.ts';
import { freshStack } from '../support/local-servers.ts';

/**
 * The ingest as wired on Lambda (functions/ingest/handler.ts): the middy wrapper with Powertools'
 * Logger and Metrics, the log entries of the use case routed into the Logger, the metered
 * repository — on the real local S3 and DynamoDB servers. The Logger writes to a captured sink
 * (the JSON Lambda would log), the metrics to a captured stdout (EMF, as CloudWatch reads it).
 */

type Stack = Awaited<ReturnType<typeof freshStack>>;
type Line = Record<string, unknown> & { level: string; message: string };
const OP = 'liberterra-iii';
const CSV = 'date,metric,breakdown,value\n2025-11-12,arrests,,7\n2025-11-13,arrests,,0\n';

describe('the ingest Lambda’s logs and metrics', () => {
  let stack: Stack;
  let lines: Line[];
  let stdout: string[];

  /** The ingest handler as deployed, over `repo` (default: the metered repository). */
  function deployedIngest(
    repoOf: (metrics: ReturnType<typeof lambdaTelemetry>['metrics']) => MeteredRepository,
  ) {
    const logger = new LineLogger(
      { format: 'json', write: (line) => lines.push(JSON.parse(line) as Line) },
      { serviceName: 'optally-ingest' },
    );
    const { metrics } = lambdaTelemetry('optally-ingest', 'INFO');
    const handler = makeIngestHandler({
      repo: repoOf(metrics),
      objects: stack.objects,
      maxReceives: 5,
      log: logTo(logger),
      onRefresh: recordRefresh(metrics),
    });
    return lambda(handler, { logger, metrics });
  }

  const metered = (metrics: ReturnType<typeof lambdaTelemetry>['metrics']) =>
    new MeteredRepository(documentClient({ dynamodb: stack.dynamodbEndpoint }), stack.table, metrics);

  async function upload(country: string, name: string, receiveCount = 1) {
    const key = `incoming/${OP}/${country}/${name}`;
    await stack.objects.put(key, CSV);
    const event = sqsEventOf(
      [objectCreated(key, { eventTime: '2025-11-12T08:00:00.000Z', bucket: stack.bucket, size: CSV.length })],
      receiveCount,
    );
    return { key, event, messageId: event.Records[0]?.messageId };
  }

  /** The EMF documents printed to stdout: one per invocation that recorded metrics. */
  function emf(): Record<string, unknown>[] {
    return stdout
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  beforeAll(async () => {
    stack = await freshStack({ notifications: false });
  });
  afterAll(async () => {
    await stack.dispose();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  const capture = () => {
    lines = [];
    stdout = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
  };

  it('logs an accepted return as JSON at INFO with its message id, submission id and S3 key', async () => {
    capture();
    const ingest = deployedIngest(metered);
    const { key, event, messageId } = await upload('KE', 'return.csv');

    const context = localContext('optally-ingest');
    await ingest(event, context);

    const [submission] = (await stack.repo.listSubmissions(OP, 'KE', { limit: 1 })).submissions;
    const accepted = lines.find((line) => line.message === 'return accepted');
    expect(accepted).toMatchObject({
      level: 'INFO',
      service: 'optally-ingest',
      function_request_id: context.awsRequestId,
      messageId,
      submission: submission?.id,
      key,
    });
  });

  it('logs a failed message at ERROR with its message id, submission id, S3 key and the error’s stack', async () => {
    capture();
    const ingest = deployedIngest(
      (metrics) =>
        new (class extends MeteredRepository {
          override async applyCountry(): Promise<never> {
            throw new Error('DynamoDB is unreachable');
          }
        })(documentClient({ dynamodb: stack.dynamodbEndpoint }), stack.table, metrics),
    );
    const { key, event, messageId } = await upload('GH', 'return.csv');

    const response = await ingest(event, localContext('optally-ingest'));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: messageId }]);
    const [submission] = (await stack.repo.listSubmissions(OP, 'GH', { limit: 1 })).submissions;
    const failed = lines.find((line) => line.message === 'ingest failed');
    expect(failed).toMatchObject({
      level: 'ERROR',
      messageId,
      submission: submission?.id,
      key,
      error: { name: 'Error', message: 'DynamoDB is unreachable', stack: expect.stringContaining('at ') },
    });
  });

  it('logs a message deferred for lack of time at WARN with its message id', async () => {
    capture();
    const logger = new LineLogger({ format: 'json', write: (line) => lines.push(JSON.parse(line) as Line) });
    const ingest = lambda(
      makeIngestHandler({
        repo: stack.repo,
        objects: stack.objects,
        maxReceives: 5,
        log: logTo(logger),
        reserveMs: 60_000,
      }),
      { logger },
    );
    const { event, messageId } = await upload('NG', 'return.csv');

    await ingest(event, localContext('optally-ingest', 1_000));

    expect(lines).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'deferred: too little time left in this invocation',
        messageId,
      }),
    ]);
  });

  it('publishes an accepted upload, its rows, its lag and the rollup refresh as one EMF document', async () => {
    capture();
    const ingest = deployedIngest(metered);
    const { event } = await upload('BR', 'return.csv');

    await ingest(event, localContext('optally-ingest'));

    const [document] = emf();
    expect(emf()).toHaveLength(1);
    expect(document).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'optally',
            Dimensions: [['service']],
            Metrics: expect.arrayContaining([
              { Name: INGEST_METRICS.accepted, Unit: 'Count' },
              { Name: INGEST_METRICS.rowsRead, Unit: 'Count' },
              { Name: INGEST_METRICS.lagMs, Unit: 'Milliseconds' },
              { Name: INGEST_METRICS.rollupRefreshes, Unit: 'Count' },
            ]),
          },
        ],
      },
      service: 'optally-ingest',
      [INGEST_METRICS.accepted]: 1,
      [INGEST_METRICS.rowsRead]: 2,
      [INGEST_METRICS.rollupRefreshes]: 1,
    });
    expect(document?.[INGEST_METRICS.lagMs]).toEqual(expect.any(Number));
  });

  it('counts an upload whose last delivery failed as failed', async () => {
    capture();
    const ingest = deployedIngest(
      (metrics) =>
        new (class extends MeteredRepository {
          // Applying the figures fails; recording `failed` on the last attempt works.
          override async applyCountry(): Promise<never> {
            throw new Error('DynamoDB is unreachable');
          }
        })(documentClient({ dynamodb: stack.dynamodbEndpoint }), stack.table, metrics),
    );
    const { event } = await upload('CM', 'return.csv', 5);

    await ingest(event, localContext('optally-ingest'));

    const [submission] = (await stack.repo.listSubmissions(OP, 'CM', { limit: 1 })).submissions;
    expect(submission?.status).toBe('failed');
    expect(emf()).toEqual([expect.objectContaining({ [INGEST_METRICS.failed]: 1 })]);
  });
});
