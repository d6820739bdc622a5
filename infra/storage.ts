import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectLockRetention,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { EXPORTS_PREFIX, s3CorsConfiguration } from '../shared/domain/export-delivery.ts';
import { acknowledgeNag, acknowledgeNagOnCdkSingleton, BASIC_EXECUTION_ROLE_FINDING } from './nag.ts';

/** Key prefixes of the uploads bucket; the function grants are scoped to them. */
export const BUCKET_PREFIXES = {
  /** Raw national returns, `incoming/{op}/{country}/{uploadId}/…`: written once, never overwritten. */
  incoming: 'incoming/',
  /** Receipts, validation reports and accepted figures, written by the ingest function. */
  reports: 'reports/',
  /** Files uploaded to dry-run slots: checked on request, never counted. */
  dryrun: 'dryrun/',
  /** The archive of each operation's definition and status (what `optally rebuild` starts from). */
  definitions: 'definitions/',
  /** Manifests frozen when an operation is finalised. */
  final: 'final/',
  /** Final exports too large for a Lambda response, by manifest digest: served through presigned GETs. */
  exports: EXPORTS_PREFIX,
} as const;

/** Seven years, counted generously (two leap days). */
export const DEFAULT_RETENTION_DAYS = 7 * 365 + 2;

/** Settings of the storage construct. */
export interface StorageProps {
  /**
   * Days every object version is kept before lifecycle may expire it. Raw returns are evidence for
   * the auditor's recompute-from-raw check, so nothing is deleted earlier.
   * @default DEFAULT_RETENTION_DAYS (7 years)
   */
  readonly retentionDays?: number;
  /**
   * Lock every new object version in governance mode for `retentionDays`: even a principal allowed
   * to delete cannot, unless it also holds `s3:BypassGovernanceRetention`. Uploads must then carry a
   * Content-MD5 or checksum header (an S3 rule for locked buckets).
   * @default false
   */
  readonly objectLock?: boolean;
  /**
   * Days access logs (S3 server access logs, CloudFront logs) are kept.
   * @default 400
   */
  readonly accessLogRetentionDays?: number;
}

/**
 * The uploads bucket (raw returns, reports, definition archive, final manifests) and the bucket receiving access logs.
 *
 * Guarantees: versioned, encrypted at rest, TLS-only, never public, every request logged, and no
 * object version expires before the configured retention.
 *
 * Encryption is SSE-S3 rather than SSE-KMS on purpose: presigned POSTs, CloudFront OAC and S3 access
 * log delivery all work without key-policy plumbing, there is no per-request KMS charge, and access
 * is already controlled by IAM and the bucket policy — a customer key would add cost and failure
 * modes without a separate audience to protect against.
 */
export class Storage extends Construct {
  /** Raw returns under `incoming/`, reports under `reports/`, and the prefixes of BUCKET_PREFIXES. */
  readonly uploadsBucket: Bucket;
  /** Destination of S3 server access logs and CloudFront standard logs. */
  readonly logBucket: Bucket;
  /** Days object versions are retained (as configured). */
  readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const retentionDays = props.retentionDays ?? DEFAULT_RETENTION_DAYS;
    if (!Number.isInteger(retentionDays) || retentionDays < 1) {
      throw new Error(`retentionDays must be a positive whole number of days; got ${retentionDays}.`);
    }
    this.retentionDays = retentionDays;

    this.logBucket = new Bucket(this, 'LogBucket', {
      // Server access log delivery only supports SSE-S3 on the destination bucket.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // CloudFront standard logging still delivers through an ACL grant, so ACLs must stay usable.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(props.accessLogRetentionDays ?? 400) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNag(this.logBucket, [
      {
        id: 'AwsSolutions-S1',
        reason: 'This is the access-log destination itself; logging it into itself would loop.',
      },
    ]);

    const days = Duration.days(retentionDays);
    this.uploadsBucket = new Bucket(this, 'UploadsBucket', {
      versioned: true,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'uploads-bucket/',
      // No `cors` here: the rules name the dashboard's origin, so `allowBrowserTransfers` applies
      // them after deployment (see there).
      lifecycleRules: [
        {
          // Expiry counts from creation for current versions and from replacement for noncurrent
          // ones, so no version of any object (raw returns included) disappears before `days`.
          id: 'expire-after-retention',
          expiration: days,
          noncurrentVersionExpiration: days,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
      ...(props.objectLock
        ? { objectLockEnabled: true, objectLockDefaultRetention: ObjectLockRetention.governance(days) }
        : {}),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

/**
 * Sets the uploads bucket's CORS rules (`s3CorsConfiguration`, the same the local stack sets):
 * any page may read what a presigned export link serves (GET, HEAD), and the dashboard's origins,
 * and no other, may POST a return to an upload slot.
 *
 * Applied after deployment by a custom resource (one PutBucketCors call) instead of the bucket's
 * own `cors`: the dashboard's origin is the CloudFront domain, and the distribution's
 * Content-Security-Policy names the bucket, so a CORS rule on the bucket resource would close a
 * dependency cycle (bucket → distribution → bucket). This resource is the only owner of the
 * bucket's CORS configuration.
 */
export function allowBrowserTransfers(
  scope: Construct,
  id: string,
  bucket: IBucket,
  dashboardOrigins: readonly string[],
): AwsCustomResource {
  const putCors = {
    service: 'S3',
    action: 'PutBucketCors',
    parameters: { Bucket: bucket.bucketName, CORSConfiguration: s3CorsConfiguration(dashboardOrigins) },
    physicalResourceId: PhysicalResourceId.of(`${bucket.bucketName}-cors`),
  };
  const resource = new AwsCustomResource(scope, id, {
    onCreate: putCors,
    onUpdate: putCors,
    policy: AwsCustomResourcePolicy.fromStatements([
      new PolicyStatement({ actions: ['s3:PutBucketCORS'], resources: [bucket.bucketArn] }),
    ]),
    installLatestAwsSdk: false,
    logGroup: new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH }),
  });
  acknowledgeNagOnCdkSingleton(scope, 'AWS679f53fac002430cb0da5b7982bd2287', [
    {
      id: BASIC_EXECUTION_ROLE_FINDING,
      reason:
        "CDK's AwsCustomResource provider runs only during deployment (one PutBucketCors call); CDK gives its role the AWS managed basic execution policy and no way to replace it.",
    },
  ]);
  return resource;
}
