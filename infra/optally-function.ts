import { dirname } from 'node:path';
import { AssetHashType, DockerImage, Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { BUNDLE_SETTINGS, entryPath, esbuildOptions, type FunctionName } from './bundling.ts';
import { acknowledgeNag, nagResourceText } from './nag.ts';

/**
 * The Lambda runtime of every function of ours. cdk-nag's AwsSolutions-L1 fails any runtime older
 * than the newest the installed aws-cdk-lib knows, so this moves with aws-cdk-lib upgrades.
 */
export const FUNCTION_RUNTIME: Runtime = Runtime.NODEJS_24_X;

/**
 * The level our functions log at: Powertools' Logger (POWERTOOLS_LOG_LEVEL) and Lambda's own
 * filter of JSON logs (advanced logging controls) are set together, so lowering one alone cannot
 * drop lines silently. Change both in the Lambda console to debug a deployed function.
 */
export const FUNCTION_LOG_LEVEL = 'INFO';

/** Settings of one of our Lambdas. */
export interface OptallyFunctionProps {
  /** Which handler (folder under functions/) to bundle. */
  readonly name: FunctionName;
  /** Shown in the Lambda console. */
  readonly description: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** @default one year */
  readonly logRetention?: RetentionDays;
  /** Extra environment variables (tables and buckets are set by `bindTable` / `bindBucket`). */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * "A Lambda of ours": Node.js 24 on arm64, bundled by the local esbuild from functions/ as ESM with
 * source maps, X-Ray tracing, JSON logs into its own log group with a retention, and a role that
 * starts with nothing but writing to that log group. Access is added with `bindTable` /
 * `bindBucket`, which grant and set the environment variable in one call.
 */
export class OptallyFunction extends Construct {
  /** The function itself. */
  readonly function: LambdaFunction;
  /** Its execution role (no managed policies). */
  readonly role: Role;
  /** Its log group. */
  readonly logGroup: LogGroup;
  /** Its timeout (the ingest queue's visibility timeout is derived from it). */
  readonly timeout: Duration;
  private readonly boundEnvironment = new Map<string, string>();

  constructor(scope: Construct, id: string, props: OptallyFunctionProps) {
    super(scope, id);
    this.timeout = props.timeout ?? Duration.seconds(10);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.ONE_YEAR });
    // An explicit role instead of the default one: the default attaches the AWS managed
    // AWSLambdaBasicExecutionRole, which may write to every log group in the account.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the optally ${props.name} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new LambdaFunction(this, 'Function', {
      code: bundledCode(props.name),
      handler: `${BUNDLE_SETTINGS.outputFileName.replace(/\.mjs$/, '')}.handler`,
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: this.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel[FUNCTION_LOG_LEVEL],
      tracing: Tracing.ACTIVE,
      environment: {
        // Stack traces point at the TypeScript sources instead of the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_LOG_LEVEL: FUNCTION_LOG_LEVEL,
        ...props.environment,
      },
    });

    // cdk-nag findings are per resource text, so this also covers any other "*" resource added to
    // this role later; bindTable / bindBucket never grant on "*", and the infra tests pin every
    // statement of both roles.
    acknowledgeNag(this, [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so AWS requires "*".',
      },
    ]);
  }

  /**
   * Sets an environment variable once. Binding the same name to a different value throws: two
   * resources fighting over `BUCKET_NAME` is a wiring bug, not something to resolve silently.
   */
  setEnvironment(name: string, value: string): void {
    const existing = this.boundEnvironment.get(name);
    if (existing !== undefined && existing !== value) {
      throw new Error(
        `${this.node.path}: environment variable ${name} is already bound to another resource; ` +
          'give the second resource its own variable name.',
      );
    }
    if (existing === undefined) {
      this.boundEnvironment.set(name, value);
      this.function.addEnvironment(name, value);
    }
  }
}

/** What a function may do with the table. */
export type TableAccess = 'read' | 'readWrite';

/**
 * DynamoDB actions per access level: exactly what the handlers use, no Scan. The one batch write
 * is the ingest's ledger (a batch's final verdicts: plain puts, never a conditional write).
 */
export const TABLE_ACTIONS: Readonly<Record<TableAccess, readonly string[]>> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
  ],
};

/**
 * Grants the function `access` to the table (the table only: it has no indexes) and sets
 * `envVar` (default `TABLE_NAME`) to the table's name.
 */
export function bindTable(
  fn: OptallyFunction,
  table: ITableV2,
  access: TableAccess,
  envVar = 'TABLE_NAME',
): void {
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({ actions: [...TABLE_ACTIONS[access]], resources: [table.tableArn] }),
  );
  fn.setEnvironment(envVar, table.tableName);
}

/** What a function may do with objects under a bucket prefix. */
export type BucketAccess = 'read' | 'write' | 'readWrite';

/**
 * Grants the function `access` to the objects under `prefix` (the whole bucket when empty) and sets
 * `envVar` (default `BUCKET_NAME`) to the bucket's name.
 *
 * - read: GetObject / GetObjectVersion on the objects, and ListBucket limited to the prefix (without
 *   it a missing key answers 403 instead of 404) with ListBucketVersions (an upload slot's file is
 *   the first version stored at its key).
 * - write: PutObject only. Nothing of ours may delete: raw returns are evidence.
 */
export function bindBucket(
  fn: OptallyFunction,
  bucket: IBucket,
  access: BucketAccess,
  prefix = '',
  envVar = 'BUCKET_NAME',
): void {
  const objects = bucket.arnForObjects(`${prefix}*`);
  if (access === 'read' || access === 'readWrite') {
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [objects] }),
    );
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket', 's3:ListBucketVersions'],
        resources: [bucket.bucketArn],
        ...(prefix ? { conditions: { StringLike: { 's3:prefix': `${prefix}*` } } } : {}),
      }),
    );
  }
  if (access === 'write' || access === 'readWrite') {
    fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] }));
  }
  acknowledgeNag(fn, [
    {
      id: `AwsSolutions-IAM5[Resource::${nagResourceText(fn, objects)}]`,
      reason: prefix
        ? `Object actions need an object ARN; the wildcard only spans the ${prefix} prefix this function owns (${access}).`
        : `Object actions need an object ARN; this function ${access === 'read' ? 'reads' : 'uses'} objects anywhere in the bucket (${access}).`,
    },
  ]);
  fn.setEnvironment(envVar, bucket.bucketName);
}

/**
 * The function's code: bundled by the local esbuild with the settings of infra/bundling.ts (the
 * same `npm run build` and the benchmark use) into `index.mjs` and its lazily loaded chunks — a
 * folder, which NodejsFunction's single-file bundling cannot produce. Hashed by its output.
 */
function bundledCode(name: FunctionName): Code {
  return Code.fromAsset(dirname(entryPath(name)), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: local bundling always succeeds or throws (esbuild is a dev dependency).
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24-slim'),
      local: {
        tryBundle(outputDir: string): boolean {
          buildSync({ ...esbuildOptions(name, outputDir), logLevel: 'warning' });
          return true;
        },
      },
    },
  });
}
