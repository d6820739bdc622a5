import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { applyAwsSolutionsChecks, listAcknowledgements } from '../../infra/nag.ts';
import { createOptallyApp } from '../../infra/optally-app.ts';

const outdir = mkdtempSync(join(tmpdir(), 'optally-nag-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

// Exactly what `npm run synth` builds: cdk-nag AwsSolutions and CDK's CloudFormation checks on.
const { app, stack } = createOptallyApp({ outdir });
let synthError: unknown;
try {
  app.synth();
} catch (error) {
  synthError = error;
}

/**
 * Where each kind of acknowledgement may appear. A new suppression elsewhere fails the test, so it
 * gets reviewed here rather than slipping in next to the resource.
 */
const ALLOWED: readonly { readonly id: RegExp; readonly path: RegExp }[] = [
  // X-Ray needs "*"; prefix-scoped object ARNs of the uploads bucket.
  {
    id: /^AwsSolutions-IAM5\[Resource::(\*|<StorageUploadsBucket\w+\.Arn>\/(incoming\/|reports\/|rollups\/|dryrun\/|definitions\/|final\/|exports\/)?\*)\]$/,
    path: /^Optally\/(Ingest|Api|Notifications)\/Handler$/,
  },
  // CDK's deployment-time helper functions, which we cannot configure.
  {
    id: /^AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole\]$/,
    path: /^Optally\/(BucketNotificationsHandler|Custom::CDKBucketDeployment|AWS679f53fac002430cb0da5b7982bd2287)/,
  },
  { id: /^AwsSolutions-(IAM5\[.+\]|L1)$/, path: /^Optally\/Custom::CDKBucketDeployment/ },
  // Only the health check, the API description and the signing public key are public; only the log
  // bucket is not itself logged.
  { id: /^AwsSolutions-APIG4$/, path: /^Optally\/Api\/HttpApi\/GET--health$/ },
  { id: /^AwsSolutions-APIG4$/, path: /^Optally\/Api\/HttpApi\/GET--openapi\.json$/ },
  {
    id: /^AwsSolutions-APIG4$/,
    path: /^Optally\/Api\/HttpApi\/GET--operations--\{op\}--final--public-key$/,
  },
  { id: /^AwsSolutions-S1$/, path: /^Optally\/Storage\/LogBucket$/ },
  { id: /^AwsSolutions-CFR(1|2|4)$/, path: /^Optally\/Dashboard\/Distribution$/ },
];

describe('cdk-nag AwsSolutions pack', () => {
  it('finds nothing unacknowledged in the stack (synthesis would throw, listing each finding)', () => {
    expect(synthError).toBeUndefined();
  });

  it('carries a written reason with every acknowledgement', () => {
    const acknowledgements = listAcknowledgements(stack);

    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const ack of acknowledgements) {
      expect(ack.reason.trim().length, `${ack.id} on ${ack.path}`).toBeGreaterThanOrEqual(40);
    }
  });

  it('acknowledges findings only where they were reviewed', () => {
    const unexpected = listAcknowledgements(stack).filter(
      (ack) => !ALLOWED.some((allowed) => allowed.id.test(ack.id) && allowed.path.test(ack.path)),
    );

    expect(unexpected).toEqual([]);
  });

  it('fails synthesis on an unacknowledged finding, naming the rule', () => {
    const gated = new App({ outdir: join(outdir, 'gated'), builtinCloudFormationValidation: false });
    new Bucket(new Stack(gated, 'Careless'), 'Unlogged');
    applyAwsSolutionsChecks(gated);

    expect(() => gated.synth()).toThrow(/AwsSolutions-S1/);
  });
});
