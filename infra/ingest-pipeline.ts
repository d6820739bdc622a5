import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  INGEST_BATCHING_WINDOW_SECONDS,
  INGEST_MAX_RECEIVES,
  INGEST_TIMEOUT_SECONDS,
  PROCESSING_WINDOW_SECONDS,
  processingWindowSeconds,
  visibilityTimeoutSeconds,
} from '../shared/domain/ingest-timing.ts';
import { ROLLUPS_PREFIX } from '../shared/domain/object-keys.ts';
import { acknowledgeNagOnCdkSingleton, BASIC_EXECUTION_ROLE_FINDING } from './nag.ts';
import { bindBucket, bindTable, OptallyFunction } from './optally-function.ts';
import { BUCKET_PREFIXES } from './storage.ts';

/** Receives of one message before SQS parks it in the dead-letter queue. */
export const DEFAULT_MAX_RECEIVES = INGEST_MAX_RECEIVES;

/** Settings of the ingest pipeline. */
export interface IngestPipelineProps {
  /** The uploads bucket: `incoming/` is read, `reports/` is written. */
  readonly uploadsBucket: IBucket;
  readonly table: ITableV2;
  /** @default DEFAULT_MAX_RECEIVES */
  readonly maxReceives?: number;
  /** @default INGEST_TIMEOUT_SECONDS (60 seconds) */
  readonly functionTimeout?: Duration;
}

/**
 * S3 `incoming/` object-created notifications → SQS → ingest Lambda, with a dead-letter queue.
 *
 * Guarantees: every notification is retried until it succeeds or has been received `maxReceives`
 * times, then kept 14 days in the DLQ with an alarm (nothing silently dropped); the function is told
 * `MAX_RECEIVES` so it can record a visible 'failed' status on the last attempt; a message is never
 * redelivered while the function may still be working on it (visibility ≥ 6 × timeout).
 */
export class IngestPipeline extends Construct {
  /** Queue of S3 notifications for `incoming/`. */
  readonly queue: Queue;
  /** Where notifications go after `maxReceives` failed receives. */
  readonly deadLetterQueue: Queue;
  /** The ingest function. */
  readonly function: OptallyFunction;
  /** Fires when anything is in the DLQ. */
  readonly deadLetterAlarm: Alarm;
  /** As configured. */
  readonly maxReceives: number;

  constructor(scope: Construct, id: string, props: IngestPipelineProps) {
    super(scope, id);
    this.maxReceives = props.maxReceives ?? DEFAULT_MAX_RECEIVES;
    const timeout = props.functionTimeout ?? Duration.seconds(INGEST_TIMEOUT_SECONDS);
    const maxBatchingWindow = Duration.seconds(INGEST_BATCHING_WINDOW_SECONDS);
    const visibility = visibilityTimeoutSeconds(timeout.toSeconds(), maxBatchingWindow.toSeconds());
    // The API shows a submission still `processing` after PROCESSING_WINDOW_SECONDS as failed: a
    // queue that retries longer would have files called stuck while they are still being tried.
    if (processingWindowSeconds(visibility, this.maxReceives) > PROCESSING_WINDOW_SECONDS) {
      throw new Error(
        `${this.node.path}: ${this.maxReceives} receives of ${visibility} s outlast the ${PROCESSING_WINDOW_SECONDS} s processing window the API waits for a verdict; lower functionTimeout or maxReceives, or change shared/domain/ingest-timing.ts.`,
      );
    }

    this.function = new OptallyFunction(this, 'Handler', {
      name: 'ingest',
      description: 'Parses, validates and applies uploaded national returns (S3 → SQS → here).',
      // Parsing XLSX (zip) is the memory-hungry case; more memory also means more CPU on Lambda.
      memorySize: 1024,
      timeout,
      environment: { MAX_RECEIVES: String(this.maxReceives) },
    });
    bindTable(this.function, props.table, 'readWrite');
    bindBucket(this.function, props.uploadsBucket, 'read', BUCKET_PREFIXES.incoming);
    // A retry reads the report an earlier attempt stored, and a file judged with an earlier
    // definition version reads that version's archived copy.
    bindBucket(this.function, props.uploadsBucket, 'readWrite', BUCKET_PREFIXES.reports);
    bindBucket(this.function, props.uploadsBucket, 'read', BUCKET_PREFIXES.definitions);
    // Each rollup version's body, written once before the head in DynamoDB points at it.
    bindBucket(this.function, props.uploadsBucket, 'write', ROLLUPS_PREFIX);

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance for Lambda consumers: at least six times the function timeout (plus the batching
      // window), or a message could reappear while its first invocation is still running.
      visibilityTimeout: Duration.seconds(visibility),
      // The maximum: S3 notifications are small, but a 64 KB event must never be refused.
      maxMessageSizeBytes: 262_144,
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceives },
    });

    // S3-managed queue encryption (not KMS) lets S3 publish without a key policy grant.
    props.uploadsBucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(this.queue), {
      prefix: BUCKET_PREFIXES.incoming,
    });
    acknowledgeNagOnCdkSingleton(this, 'BucketNotificationsHandler', [
      {
        id: BASIC_EXECUTION_ROLE_FINDING,
        reason:
          "CDK's bucket-notification handler runs only during deployment (PutBucketNotification on the uploads bucket); CDK gives its role the AWS managed basic execution policy and no way to replace it.",
      },
    ]);

    this.function.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow,
        // The handler reports the failed messages only; the rest of the batch is deleted.
        reportBatchItemFailures: true,
      }),
    );

    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'An S3 notification failed ingest MAX_RECEIVES times and sits in the DLQ: its upload shows as failed. ' +
        'Fix the cause, then redrive the DLQ to the ingest queue.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
