import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { createOptallyApp } from '../../infra/optally-app.ts';
import { DEFAULT_RETENTION_DAYS, Storage } from '../../infra/storage.ts';
import { logicalIdOf, propertiesOf, SKIP_BUNDLING, scratchOutdir, synthesizeOptally } from './synth.ts';

const synthesized = synthesizeOptally({ validate: false });
const { template } = synthesized;
afterAll(() => synthesized.dispose());

const uploadsId = logicalIdOf(template, 'AWS::S3::Bucket', 'UploadsBucket');
const logsId = logicalIdOf(template, 'AWS::S3::Bucket', 'LogBucket');
const bucketIds = Object.keys(template.findResources('AWS::S3::Bucket'));

const distributionId = logicalIdOf(template, 'AWS::CloudFront::Distribution', 'Distribution');

/** Renders a CloudFormation string (a Join of Refs and GetAtts) as `${Id}` / `${Id.Attr}` text. */
function renderJoin(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if ('Fn::Join' in node) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(renderJoin).join(separator);
  }
  if ('Ref' in node) return `\${${String(node.Ref)}}`;
  if ('Fn::GetAtt' in node) return `\${${(node['Fn::GetAtt'] as string[]).join('.')}}`;
  throw new Error(`Cannot render ${JSON.stringify(value)}`);
}

type CorsCall = {
  action: string;
  parameters: { Bucket: string; CORSConfiguration: unknown };
  create: string;
  update: string;
};

/** The custom resource call that sets the uploads bucket's CORS rules (PutBucketCors). */
function bucketCorsCall(): CorsCall {
  const calls = Object.values(template.findResources('Custom::AWS'))
    .map((resource) => (resource as { Properties: { Create: unknown; Update: unknown } }).Properties)
    .map((props) => ({ create: renderJoin(props.Create), update: renderJoin(props.Update) }))
    .filter((call) => call.create.includes('"PutBucketCors"'));
  expect(calls).toHaveLength(1);
  const [call] = calls as [{ create: string; update: string }];
  return { ...(JSON.parse(call.create) as Omit<CorsCall, 'create' | 'update'>), ...call };
}

type LifecycleRule = { ExpirationInDays?: number; NoncurrentVersionExpiration?: { NoncurrentDays: number } };

function lifecycleRules(logicalId: string): LifecycleRule[] {
  const config = propertiesOf(template, logicalId).LifecycleConfiguration as { Rules: LifecycleRule[] };
  return config.Rules;
}

function bucketPolicyStatements(bucketLogicalId: string): unknown[] {
  const policies = template.findResources('AWS::S3::BucketPolicy', {
    Properties: { Bucket: { Ref: bucketLogicalId } },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument
        .Statement,
  );
}

describe('every bucket', () => {
  it.each(bucketIds)('%s is encrypted at rest and blocks all public access', (logicalId) => {
    expect(propertiesOf(template, logicalId)).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it.each(bucketIds)('%s denies requests without TLS, and TLS older than 1.2', (logicalId) => {
    const statements = bucketPolicyStatements(logicalId);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
      }),
    );
  });

  it.each(bucketIds.filter((id) => id !== logsId))('%s logs every request to the log bucket', (logicalId) => {
    expect(propertiesOf(template, logicalId).LoggingConfiguration).toMatchObject({
      DestinationBucketName: { Ref: logsId },
    });
  });

  it.each(bucketIds)('%s is retained when the stack is deleted', (logicalId) => {
    expect(template.toJSON().Resources[logicalId]).toMatchObject({ DeletionPolicy: 'Retain' });
  });
});

describe('uploads bucket', () => {
  it('is versioned, so no upload can be overwritten or deleted irrecoverably', () => {
    expect(propertiesOf(template, uploadsId).VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('disables ACLs: the bucket owner owns every object', () => {
    expect(propertiesOf(template, uploadsId).OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
    });
  });

  it('keeps current and noncurrent versions for the default seven years, and no rule expires anything sooner', () => {
    const rules = lifecycleRules(uploadsId);
    expect(rules).toContainEqual(
      expect.objectContaining({
        ExpirationInDays: DEFAULT_RETENTION_DAYS,
        NoncurrentVersionExpiration: { NoncurrentDays: DEFAULT_RETENTION_DAYS },
      }),
    );
    for (const rule of rules) {
      if (rule.ExpirationInDays !== undefined)
        expect(rule.ExpirationInDays).toBeGreaterThanOrEqual(DEFAULT_RETENTION_DAYS);
      if (rule.NoncurrentVersionExpiration) {
        expect(rule.NoncurrentVersionExpiration.NoncurrentDays).toBeGreaterThanOrEqual(
          DEFAULT_RETENTION_DAYS,
        );
      }
    }
  });

  it('has no CORS rule of its own: the custom resource that knows the dashboard origin owns them', () => {
    expect(propertiesOf(template, uploadsId).CorsConfiguration).toBeUndefined();
  });

  it('lets any page read what a presigned link serves (GET, HEAD), and only the dashboard POST a return', () => {
    // A browser following the API's 303 to a presigned export link makes a cross-origin GET; the
    // signature in the link, not the origin, is what authorizes it. Uploads come from the
    // dashboard's page only: the CloudFront domain, and no other origin or method.
    const call = bucketCorsCall();

    expect(call.action).toBe('PutBucketCors');
    expect(call.parameters.Bucket).toBe(`\${${uploadsId}}`);
    expect(call.parameters.CORSConfiguration).toEqual({
      CORSRules: [
        {
          AllowedMethods: ['GET', 'HEAD'],
          AllowedOrigins: ['*'],
          ExposeHeaders: ['x-amz-meta-manifest-sha256'],
          MaxAgeSeconds: 3000,
        },
        {
          AllowedMethods: ['POST'],
          AllowedOrigins: [`https://\${${distributionId}.DomainName}`],
          MaxAgeSeconds: 3000,
        },
      ],
    });
  });

  it('applies the same rules on every update, with a role that may set the CORS of this bucket only', () => {
    const call = bucketCorsCall();
    expect(call.update).toBe(call.create);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 's3:PutBucketCORS',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [uploadsId, 'Arn'] },
          },
        ],
      },
    });
  });

  it('has no Object Lock unless asked for', () => {
    expect(propertiesOf(template, uploadsId).ObjectLockEnabled).toBeUndefined();
  });

  it('grants no principal of the stack any way to delete its objects', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        (
          policy as {
            Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } };
          }
        ).Properties.PolicyDocument.Statement,
    );
    const deleting = statements.filter((statement) =>
      /s3:(\*|Delete)/.test(JSON.stringify(statement.Action)),
    );

    // CDK's dashboard deployer prunes old files, but only in the site bucket.
    expect(deleting.length).toBeGreaterThan(0);
    for (const statement of deleting) expect(JSON.stringify(statement.Resource)).not.toContain(uploadsId);
  });
});

describe('log bucket', () => {
  it('accepts CloudFront standard logs (ACLs usable) and expires old logs', () => {
    expect(propertiesOf(template, logsId)).toMatchObject({
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: expect.any(Number) })] },
    });
  });

  it('lets the S3 logging service write through the bucket policy, scoped to our account', () => {
    expect(bucketPolicyStatements(logsId)).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Condition: expect.objectContaining({
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        }),
      }),
    );
  });
});

describe('storage settings', () => {
  it('applies a configured retention to current and noncurrent versions', () => {
    const stack = new Stack(
      new App({ outdir: scratchOutdir(), builtinCloudFormationValidation: false }),
      'Test',
    );
    new Storage(stack, 'Storage', { retentionDays: 3650 });

    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ ExpirationInDays: 3650, NoncurrentVersionExpiration: { NoncurrentDays: 3650 } }),
        ]),
      },
    });
  });

  it('locks every object version in governance mode for the retention when Object Lock is on', () => {
    const stack = new Stack(
      new App({ outdir: scratchOutdir(), builtinCloudFormationValidation: false }),
      'Test',
    );
    new Storage(stack, 'Storage', { retentionDays: 3650, objectLock: true });

    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 3650 } },
      },
    });
  });

  it('reads retention and Object Lock from CDK context', () => {
    const { stack } = createOptallyApp({
      outdir: scratchOutdir(),
      context: { ...SKIP_BUNDLING, retentionDays: '3650', objectLock: 'true' },
      validate: false,
    });

    expect(stack.storage.retentionDays).toBe(3650);
    const uploads = stack.storage.uploadsBucket.node.defaultChild as { objectLockEnabled?: boolean };
    expect(uploads.objectLockEnabled).toBe(true);
  });

  it('rejects a retention that is not a positive whole number of days, naming the context key', () => {
    expect(() =>
      createOptallyApp({
        outdir: scratchOutdir(),
        context: { ...SKIP_BUNDLING, retentionDays: 'seven years' },
        validate: false,
      }),
    ).toThrow(/retentionDays must be a positive whole number/);
  });
});
