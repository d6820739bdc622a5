import { Tracer } from '@aws-lambda-powertools/tracer';
import { KMSClient } from '@aws-sdk/client-kms';
import { documentClient, s3Client } from '../../shared/adapters/aws-clients.ts';
import { logLevelEnv, optionalEnv, requireEnv } from '../../shared/adapters/config.ts';
import { KmsSigner } from '../../shared/adapters/kms-signer.ts';
import { lambda } from '../../shared/adapters/lambda.ts';
import { ObjectStore } from '../../shared/adapters/objects.ts';
import { Repository } from '../../shared/adapters/repository.ts';
import { lambdaTelemetry, logTo } from '../../shared/adapters/telemetry.ts';
import type { NotifyDeps } from '../../shared/app/notify.ts';
import { rollupAnswerMetrics } from './metrics.ts';
import { makeApiHandler } from './routes.ts';

// Read once at cold start; a missing or malformed setting stops the function before any request.
const config = {
  table: requireEnv('TABLE_NAME'),
  bucket: requireEnv('BUCKET_NAME'),
  region: requireEnv('AWS_REGION'),
  signingKey: requireEnv('SIGNING_KEY_ID'),
  // "Send the reminders now" sends as the notifier does: same identity, same configuration set.
  mailFrom: requireEnv('MAIL_FROM'),
  mailConfigurationSet: requireEnv('MAIL_CONFIGURATION_SET'),
  dashboardUrl: optionalEnv('DASHBOARD_URL'),
  logLevel: logLevelEnv(),
};
const SERVICE = 'optally-api';
const tracer = new Tracer({ serviceName: SERVICE });
const { logger, metrics } = lambdaTelemetry(SERVICE, config.logLevel);
const repo = new Repository(documentClient({ region: config.region }, tracer), config.table);
const objects = new ObjectStore(s3Client({ region: config.region }, tracer), config.bucket);

let notify: Promise<NotifyDeps> | undefined;

/** What "send the reminders now" needs, loaded on its first use (a lazy chunk, not the cold start). */
async function mailDeps(): Promise<NotifyDeps> {
  const [{ SESv2Client }, { sesMailSender }, { notifyDeps }] = await Promise.all([
    import('@aws-sdk/client-sesv2'),
    import('../../shared/adapters/mail.ts'),
    import('../../shared/app/notify.ts'),
  ]);
  return notifyDeps({
    repo,
    objects,
    send: sesMailSender(
      tracer.captureAWSv3Client(new SESv2Client({ region: config.region })),
      config.mailConfigurationSet,
    ),
    from: config.mailFrom,
    dashboardUrl: config.dashboardUrl,
    log: logTo(logger),
  });
}

/** The API Lambda: every HTTP API route (payload 2.0, JWT claims from the authorizer). */
export const handler = lambda(
  makeApiHandler(
    {
      repo,
      objects,
      signer: new KmsSigner(
        tracer.captureAWSv3Client(new KMSClient({ region: config.region })),
        config.signingKey,
      ),
      notify: () => (notify ??= mailDeps()),
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
