import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, S3Event, SQSEvent } from 'aws-lambda';
import { encodeS3Key } from '../shared/domain/uploads.ts';

const here = dirname(fileURLToPath(import.meta.url));

type Samples = {
  's3-object-created': S3Event;
  's3-test-event': { Service: string; Event: 's3:TestEvent'; Time: string; Bucket: string };
  'sqs-message': SQSEvent;
  'http-api-request': APIGatewayProxyEventV2WithJWTAuthorizer;
};

/** A real-shape sample event from events/, parsed and typed (a fresh copy on every call). */
export function loadEvent<K extends keyof Samples>(name: K): Samples[K] {
  return JSON.parse(readFileSync(join(here, `${name}.json`), 'utf8')) as Samples[K];
}

/** An SQS event whose messages carry the given S3 notifications (as S3 → SQS delivers them). */
export function sqsEventOf(notifications: readonly unknown[], receiveCount = 1): SQSEvent {
  const [template] = loadEvent('sqs-message').Records;
  if (!template) throw new Error('events/sqs-message.json has no record');
  return {
    Records: notifications.map((n, i) => ({
      ...template,
      messageId: `msg-${i}-${receiveCount}`,
      body: typeof n === 'string' ? n : JSON.stringify(n),
      attributes: { ...template.attributes, ApproximateReceiveCount: String(receiveCount) },
    })),
  };
}

/** An S3 object-created notification for `key` (encoded as S3 encodes it), based on the sample. */
export function objectCreated(
  key: string,
  fields: { eventTime?: string; eTag?: string; size?: number; bucket?: string; versionId?: string } = {},
): S3Event {
  const event = loadEvent('s3-object-created');
  const [record] = event.Records;
  if (!record) throw new Error('events/s3-object-created.json has no record');
  record.s3.object.key = encodeS3Key(key);
  if (fields.eventTime) record.eventTime = fields.eventTime;
  if (fields.eTag) record.s3.object.eTag = fields.eTag;
  if (fields.size !== undefined) record.s3.object.size = fields.size;
  if (fields.bucket) record.s3.bucket.name = fields.bucket;
  record.s3.object.versionId = fields.versionId;
  return event;
}

/** What varies between the S3 notification records of tests (the rest comes from the sample). */
export type S3RecordSpec = {
  /** The key as S3 writes it into a notification: URL-encoded, a space as "+". */
  encodedKey: string;
  eventName?: string;
  eventTime?: string;
  size?: number;
};

/** The body of an SQS message carrying an S3 notification with these records, built on the sample. */
export function anS3NotificationBody(...specs: S3RecordSpec[]): string {
  const [template] = loadEvent('s3-object-created').Records;
  if (!template) throw new Error('events/s3-object-created.json has no record');
  const records = specs.map((spec) => {
    const record = structuredClone(template);
    record.s3.object.key = spec.encodedKey;
    if (spec.eventName) record.eventName = spec.eventName;
    if (spec.eventTime) record.eventTime = spec.eventTime;
    if (spec.size !== undefined) record.s3.object.size = spec.size;
    return record;
  });
  return JSON.stringify({ Records: records });
}

/** The test message S3 sends to a queue when a notification configuration is created. */
export function anS3TestEventBody(): string {
  return JSON.stringify(loadEvent('s3-test-event'));
}
