import { documentClient, s3Client } from '../../shared/adapters/aws-clients.ts';
import { logLevelEnv, positiveIntegerEnv, requireEnv } from '../../shared/adapters/config.ts';
import { lambda } from '../../shared/adapters/lambda.ts';
import { ObjectStore } from '../../shared/adapters/objects.ts';
import { lambdaTelemetry, logTo } from '../../shared/adapters/telemetry.ts';
import { makeIngestHandler } from './ingest.ts';
import { MeteredRepository, recordRefresh } from './metrics.ts';

// Read once at cold start; a missing or malformed setting stops the function before any message.
const config = {
  table: requireEnv('TABLE_NAME'),
  bucket: requireEnv('BUCKET_NAME'),
  region: requireEnv('AWS_REGION'),
  /** Must equal the queue's maxReceiveCount, which only the deployment knows: no default here. */
  maxReceives: positiveIntegerEnv('MAX_RECEIVES'),
  logLevel: logLevelEnv(),
};
// No Powertools Tracer here: the X-Ray SDK's async hooks slowed the streaming parse of a
// 300,000-row file by about half. Lambda's active tracing still records each invocation.
const { logger, metrics } = lambdaTelemetry('optally-ingest', config.logLevel);

/** The ingest Lambda: SQS (S3 object-created notifications) → validated, applied returns. */
export const handler = lambda(
  makeIngestHandler({
    repo: new MeteredRepository(documentClient({ region: config.region }), config.table, metrics),
    objects: new ObjectStore(s3Client({ region: config.region }), config.bucket),
    maxReceives: config.maxReceives,
    log: logTo(logger),
    onRefresh: recordRefresh(metrics),
  }),
  { logger, metrics },
);
