/** What varies between the S3 notification records of tests. */
export type S3RecordSpec = {
  /** The key as S3 writes it into a notification: URL-encoded, a space as "+". */
  encodedKey: string;
  eventName?: string;
  eventTime?: string;
  bucket?: string;
  size?: number;
  eTag?: string;
  versionId?: string;
  sequencer?: string;
};

/**
 * One record of an S3 event notification, in the shape S3 delivers it (event structure version
 * 2.1, as documented in the S3 user guide), for an object created by a presigned POST.
 */
export function anS3Record(spec: S3RecordSpec): Record<string, unknown> {
  const bucket = spec.bucket ?? 'optally-uploads-123456789012';
  const removed = (spec.eventName ?? '').startsWith('ObjectRemoved:');
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'eu-west-1',
    eventTime: spec.eventTime ?? '2025-11-12T10:15:30.123Z',
    eventName: spec.eventName ?? 'ObjectCreated:Post',
    userIdentity: { principalId: 'AWS:AROAEXAMPLEROLEID:agency-br' },
    requestParameters: { sourceIPAddress: '203.0.113.7' },
    responseElements: {
      'x-amz-request-id': 'C3D13FE58DE4C810',
      'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'ingest-incoming',
      bucket: {
        name: bucket,
        ownerIdentity: { principalId: 'A3NL1KOZZKEXAMPLE' },
        arn: `arn:aws:s3:::${bucket}`,
      },
      object: removed
        ? { key: spec.encodedKey, sequencer: spec.sequencer ?? '0055AED6DCD90281E6' }
        : {
            key: spec.encodedKey,
            size: spec.size ?? 1024,
            eTag: spec.eTag ?? 'd41d8cd98f00b204e9800998ecf8427e',
            versionId: spec.versionId ?? '096fKKXTRTtl3on89fVO.nfljtsv6qko',
            sequencer: spec.sequencer ?? '0055AED6DCD90281E5',
          },
    },
  };
}

/** The body of an SQS message carrying an S3 event notification with these records. */
export function anS3NotificationBody(...records: S3RecordSpec[]): string {
  return JSON.stringify({ Records: records.map(anS3Record) });
}

/** The test message S3 sends to a queue when a notification configuration is created. */
export function anS3TestEventBody(): string {
  return JSON.stringify({
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: '2025-11-01T09:00:00.000Z',
    Bucket: 'optally-uploads-123456789012',
    RequestId: '5582815E1AEA5ADF',
    HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE',
  });
}
