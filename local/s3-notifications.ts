import { encodeS3Key } from '../shared/domain/uploads.ts';

/** What s3rver tells about a stored object (its `event` emitter; the key is not encoded). */
export type S3rverEvent = {
  Records: {
    eventName: string;
    eventTime: string;
    s3: {
      bucket: { name: string };
      object: { key: string; size?: number; eTag?: string; sequencer?: string };
    };
  }[];
};

/**
 * The S3 event notification that real S3 would put on the queue for an s3rver event: same
 * fields, the key URL-encoded (a space as "+"), the `s3:` prefix on the event name stripped as S3
 * does, and a monotonically increasing sequencer.
 */
export function notificationFor(event: S3rverEvent, configurationId = 'optally-incoming'): string {
  return JSON.stringify({
    Records: event.Records.map((r) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: r.eventTime,
      eventName: r.eventName,
      userIdentity: { principalId: 'AWS:LOCAL' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': 'LOCAL', 'x-amz-id-2': 'LOCAL' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId,
        bucket: {
          name: r.s3.bucket.name,
          ownerIdentity: { principalId: 'LOCAL' },
          arn: `arn:aws:s3:::${r.s3.bucket.name}`,
        },
        object: {
          key: encodeS3Key(r.s3.object.key),
          size: r.s3.object.size,
          eTag: r.s3.object.eTag,
          sequencer: r.s3.object.sequencer ?? nextSequencer(),
        },
      },
    })),
  });
}

let lastSequencer = 0;

/**
 * A sequencer that grows with every event, as S3's do for one key: two puts in the same
 * millisecond still get two values, in the order they were stored.
 */
function nextSequencer(): string {
  lastSequencer = Math.max(Date.now() * 1000, lastSequencer + 1);
  return lastSequencer.toString(16).toUpperCase();
}
