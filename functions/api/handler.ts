import { Tracer } from '@aws-lambda-powertools/tracer';
import { KMSClient } from '@aws-sdk/client-kms';
import { documentClient, s3Client } from '../../shared/adapters/aws-clients.ts';
import { logLevelEnv, requireEnv } from '../../shared/adapters/config.ts';
import { KmsSigner } from '../../shared/adapters/kms-signer.ts';
import { lambda } from '../../shared/adapters/lambda.ts';
import { ObjectStore } from '../../shared/adapters/objects.ts';
import { Repository } from '../../shared/adapters/repository.ts';
import { lambdaTelemetry, logTo } from '../../shared/adapters/telemetry.ts';
import { rollupAnswerMetrics } from './metrics.ts';
import { makeApiHandler } from './routes.ts';

// Read once at cold start; a missing or malformed setting stops the function before any request.
const config = {
  table: requireEnv('TABLE_NAME'),
  bucket: requireEnv('BUCKET_NAME'),
  region: requireEnv('AWS_REGION'),
  signingKey: requireEnv('SIGNING_KEY_ID'),
  logLevel: logLevelEnv(),
};
const SERVICE = 'optally-api';
const tracer = new Tracer({ serviceName: SERVICE });
const { logger, metrics } = lambdaTelemetry(SERVICE, config.logLevel);

/** The API Lambda: every HTTP API route (payload 2.0, JWT claims from the authorizer). */
export const handler = lambda(
  makeApiHandler(
    {
      repo: new Repository(documentClient({ region: config.region }, tracer), config.table),
      objects: new ObjectStore(s3Client({ region: config.region }, tracer), config.bucket),
      signer: new KmsSigner(
        tracer.captureAWSv3Client(new KMSClient({ region: config.region })),
        config.signingKey,
      ),
    },
    logTo(logger),
  ),
  {
    logger,
    metrics,
    tracer,
    // Lines carry API Gateway's request id; its access log carries this function's request id.
    correlationId: (event) => event.requestContext?.requestId,
    use: [rollupAnswerMetrics(metrics)],
  },
);
