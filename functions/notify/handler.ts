import { SESv2Client } from '@aws-sdk/client-sesv2';
import { documentClient, s3Client } from '../../shared/adapters/aws-clients.ts';
import { logLevelEnv, optionalEnv, positiveIntegerEnv, requireEnv } from '../../shared/adapters/config.ts';
import { lambda } from '../../shared/adapters/lambda.ts';
import { sesMailSender, smtpMailSender } from '../../shared/adapters/mail.ts';
import { ObjectStore } from '../../shared/adapters/objects.ts';
import { Repository } from '../../shared/adapters/repository.ts';
import { lambdaTelemetry, logTo } from '../../shared/adapters/telemetry.ts';
import { notifyDeps } from '../../shared/app/notify.ts';
import { makeNotifyHandler } from './notify.ts';

// Read once at cold start; a missing or malformed setting stops the function before any message.
const config = {
  table: requireEnv('TABLE_NAME'),
  bucket: requireEnv('BUCKET_NAME'),
  region: requireEnv('AWS_REGION'),
  from: requireEnv('MAIL_FROM'),
  configurationSet: optionalEnv('MAIL_CONFIGURATION_SET'),
  /** Locally only: an SMTP server instead of SES. */
  smtp: optionalEnv('SMTP_HOST')
    ? { host: requireEnv('SMTP_HOST'), port: positiveIntegerEnv('SMTP_PORT') }
    : null,
  dashboardUrl: optionalEnv('DASHBOARD_URL'),
  logLevel: logLevelEnv(),
};
const { logger, metrics } = lambdaTelemetry('optally-notify', config.logLevel);

/**
 * The notifier Lambda: a Scheduler event (`{ "source": "optally.scheduler" }`) runs the due
 * cut-offs and sends the outbox; an SQS batch of report-created notifications sends verdict mails.
 */
export const handler = lambda(
  makeNotifyHandler(
    notifyDeps({
      repo: new Repository(documentClient({ region: config.region }), config.table),
      objects: new ObjectStore(s3Client({ region: config.region }), config.bucket),
      send: config.smtp
        ? smtpMailSender(config.smtp)
        : sesMailSender(new SESv2Client({ region: config.region }), config.configurationSet),
      from: config.from,
      dashboardUrl: config.dashboardUrl,
      log: logTo(logger),
    }),
  ),
  { logger, metrics },
);
