import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_RECEIVES, IngestPipeline } from '../../infra/ingest-pipeline.ts';
import {
  INGEST_MAX_RECEIVES,
  INGEST_VISIBILITY_TIMEOUT_SECONDS,
  PROCESSING_MARGIN_SECONDS,
  PROCESSING_WINDOW_SECONDS,
} from '../../shared/domain/ingest-timing.ts';
import { logicalIdOf, propertiesOf, SKIP_BUNDLING, scratchOutdir, synthesizeOptally } from './synth.ts';

const synthesized = synthesizeOptally({ validate: false });
const { template } = synthesized;
afterAll(() => synthesized.dispose());

const queueId = logicalIdOf(template, 'AWS::SQS::Queue', 'IngestQueue');
const dlqId = logicalIdOf(template, 'AWS::SQS::Queue', 'DeadLetterQueue');
const ingestFnId = logicalIdOf(template, 'AWS::Lambda::Function', 'IngestHandlerFunction');
const uploadsId = logicalIdOf(template, 'AWS::S3::Bucket', 'UploadsBucket');
const tableId = logicalIdOf(template, 'AWS::DynamoDB::GlobalTable', 'Table');

describe('ingest queue', () => {
  it('parks a message in the DLQ after five receives', () => {
    expect(propertiesOf(template, queueId).RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: 5,
    });
  });

  it('hides a received message for at least six times the ingest function timeout', () => {
    const visibility = propertiesOf(template, queueId).VisibilityTimeout as number;
    const timeout = propertiesOf(template, ingestFnId).Timeout as number;

    expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('is configured from the shared ingest timing the API judges stuck submissions by', () => {
    const visibility = propertiesOf(template, queueId).VisibilityTimeout as number;
    const { maxReceiveCount } = propertiesOf(template, queueId).RedrivePolicy as { maxReceiveCount: number };

    expect(visibility).toBe(INGEST_VISIBILITY_TIMEOUT_SECONDS);
    expect(maxReceiveCount).toBe(INGEST_MAX_RECEIVES);
    expect(visibility * maxReceiveCount + PROCESSING_MARGIN_SECONDS).toBeLessThanOrEqual(
      PROCESSING_WINDOW_SECONDS,
    );
  });

  it('refuses settings whose receives would outlast the processing window the API waits for a verdict', () => {
    const stack = new Stack(new App({ outdir: scratchOutdir(), context: SKIP_BUNDLING }), 'Test');
    const props = {
      uploadsBucket: new Bucket(stack, 'Uploads'),
      table: new TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } }),
    };

    expect(
      () => new IngestPipeline(stack, 'Slow', { ...props, functionTimeout: Duration.seconds(120) }),
    ).toThrow(/outlast the \d+ s processing window/);
    expect(() => new IngestPipeline(stack, 'Stubborn', { ...props, maxReceives: 10 })).toThrow(
      /processing window/,
    );
  });

  it('accepts the largest message SQS allows', () => {
    expect(propertiesOf(template, queueId).MaximumMessageSize).toBe(262_144);
  });

  it.each([
    ['ingest queue', 'IngestQueue'],
    ['dead-letter queue', 'DeadLetterQueue'],
  ])('the %s is encrypted and refuses requests without TLS', (_name, hint) => {
    const id = logicalIdOf(template, 'AWS::SQS::Queue', hint);
    expect(propertiesOf(template, id).SqsManagedSseEnabled).toBe(true);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: id }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('keeps failed notifications for the longest time SQS allows', () => {
    expect(propertiesOf(template, dlqId).MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });
});

describe('S3 → SQS → Lambda wiring', () => {
  it('sends every object created under incoming/ (and nothing else) to the ingest queue', () => {
    // Other queues (the notifier's stored-report events) may be fed by the same bucket.
    const [notifications] = Object.values(template.findResources('Custom::S3BucketNotifications')) as {
      Properties: { BucketName: unknown; NotificationConfiguration: { QueueConfigurations: unknown[] } };
    }[];
    const toIngest = notifications?.Properties.NotificationConfiguration.QueueConfigurations.filter(
      (c) =>
        JSON.stringify((c as { QueueArn: unknown }).QueueArn) ===
        JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] }),
    );

    expect(notifications?.Properties.BucketName).toEqual({ Ref: uploadsId });
    expect(toIngest).toEqual([
      {
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } },
        QueueArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      },
    ]);
  });

  it('lets only S3 notifications of the uploads bucket publish to the queue', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [uploadsId, 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  it('feeds the ingest function batches of 10 with partial batch failures and a small batching window', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: ingestFnId },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumBatchingWindowInSeconds: Match.anyValue(),
    });
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0] as {
      Properties: { MaximumBatchingWindowInSeconds: number };
    };
    expect(mapping.Properties.MaximumBatchingWindowInSeconds).toBeLessThanOrEqual(5);
  });

  it('tells the function the redrive maxReceiveCount, the table and the bucket', () => {
    const redrive = propertiesOf(template, queueId).RedrivePolicy as { maxReceiveCount: number };

    expect(propertiesOf(template, ingestFnId).Environment).toEqual({
      Variables: expect.objectContaining({
        MAX_RECEIVES: String(redrive.maxReceiveCount),
        TABLE_NAME: { Ref: tableId },
        BUCKET_NAME: { Ref: uploadsId },
      }),
    });
    expect(redrive.maxReceiveCount).toBe(DEFAULT_MAX_RECEIVES);
  });
});

describe('ingest function permissions', () => {
  const statements = (
    propertiesOf(template, logicalIdOf(template, 'AWS::IAM::Policy', 'IngestHandlerRoleDefaultPolicy'))
      .PolicyDocument as {
      Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[];
    }
  ).Statement;
  const objectArn = (suffix: string) => ({
    'Fn::Join': ['', [{ 'Fn::GetAtt': [uploadsId, 'Arn'] }, suffix]],
  });
  const actionsOn = (resource: unknown) =>
    statements
      .filter((s) => JSON.stringify(s.Resource).includes(JSON.stringify(resource)))
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
      .sort();

  it('reads raw returns under incoming/ only', () => {
    expect(actionsOn(objectArn('/incoming/*'))).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
  });

  it('lists the versions of keys under incoming/ only (a slot takes the first version)', () => {
    const listing = statements.filter((s) => JSON.stringify(s.Action).includes('s3:ListBucketVersions'));
    expect(listing.map((s) => s.Condition)).toEqual(
      expect.arrayContaining([{ StringLike: { 's3:prefix': 'incoming/*' } }]),
    );
    for (const s of listing) expect(s.Condition).toBeDefined();
  });

  it('reads archived definitions, and the reports earlier attempts stored', () => {
    expect(actionsOn(objectArn('/definitions/*'))).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
  });

  it('writes reports/ and rollup bodies under rollups/ only, and cannot delete anything', () => {
    expect(actionsOn(objectArn('/reports/*'))).toEqual([
      's3:GetObject',
      's3:GetObjectVersion',
      's3:PutObject',
    ]);
    expect(actionsOn(objectArn('/rollups/*'))).toEqual(['s3:PutObject']);
    const written = statements
      .filter((s) => JSON.stringify(s.Action).includes('s3:PutObject'))
      .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
      .map((r) => JSON.stringify(r));
    expect(written.sort()).toEqual(
      [objectArn('/reports/*'), objectArn('/rollups/*')].map((r) => JSON.stringify(r)).sort(),
    );
    expect(JSON.stringify(statements)).not.toMatch(/s3:(\*|Delete)/);
  });

  it('uses exactly the table operations of the design, on the table itself', () => {
    expect(actionsOn({ 'Fn::GetAtt': [tableId, 'Arn'] })).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
  });
});

describe('dead-letter alarm', () => {
  it('fires as soon as one message is in the DLQ', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    });
  });
});
