import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { ESM_REQUIRE_BANNER } from '../../infra/bundling.ts';
import {
  bindBucket,
  FUNCTION_LOG_LEVEL,
  FUNCTION_RUNTIME,
  OptallyFunction,
} from '../../infra/optally-function.ts';
import { logicalIdOf, propertiesOf, SKIP_BUNDLING, scratchOutdir, synthesizeOptally } from './synth.ts';

const synthesized = synthesizeOptally({ validate: false, bundle: true });
const { template } = synthesized;
afterAll(() => synthesized.dispose());

const ourFunctions = [
  ['ingest', logicalIdOf(template, 'AWS::Lambda::Function', 'IngestHandlerFunction')],
  ['api', logicalIdOf(template, 'AWS::Lambda::Function', 'ApiHandlerFunction')],
] as const;

describe('our Lambda functions', () => {
  it('run on the newest Node.js runtime the installed aws-cdk-lib knows', () => {
    const newestNode = Runtime.ALL.filter((runtime) => runtime.name.startsWith('nodejs'))
      .map((runtime) => runtime.name)
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
      .at(-1);

    expect(FUNCTION_RUNTIME.name).toBe(newestNode);
  });

  it.each(ourFunctions)('%s runs Node.js 24 on arm64 from the ESM bundle', (_name, logicalId) => {
    expect(propertiesOf(template, logicalId)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
    });
  });

  it.each(ourFunctions)('%s has active X-Ray tracing and source-mapped stack traces', (_name, logicalId) => {
    expect(propertiesOf(template, logicalId)).toMatchObject({
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
  });

  it.each(ourFunctions)(
    '%s logs JSON at one level (Powertools and Lambda) into its own log group, which has a retention',
    (_name, logicalId) => {
      const logging = propertiesOf(template, logicalId).LoggingConfig as {
        LogGroup: { Ref: string };
        LogFormat: string;
        ApplicationLogLevel: string;
      };

      expect(logging.LogFormat).toBe('JSON');
      expect(logging.ApplicationLogLevel).toBe(FUNCTION_LOG_LEVEL);
      expect(propertiesOf(template, logicalId).Environment).toMatchObject({
        Variables: expect.objectContaining({ POWERTOOLS_LOG_LEVEL: FUNCTION_LOG_LEVEL }),
      });
      expect(propertiesOf(template, logging.LogGroup.Ref).RetentionInDays).toEqual(expect.any(Number));
    },
  );

  it.each(ourFunctions)('%s has a role without AWS managed policies', (_name, logicalId) => {
    const roleId = (propertiesOf(template, logicalId).Role as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ][0];

    expect(propertiesOf(template, roleId).ManagedPolicyArns).toBeUndefined();
  });

  it.each(ourFunctions)(
    '%s is bundled by esbuild as ESM with a require() shim and a source map',
    (name, logicalId) => {
      // The code asset is staged as cdk.out/asset.<hash>, the hash being the S3 key without `.zip`.
      const s3Key = (propertiesOf(template, logicalId).Code as { S3Key: string }).S3Key;
      const bundleDir = join(synthesized.app.outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
      const bundle = readFileSync(join(bundleDir, 'index.mjs'), 'utf8');

      expect(bundle.startsWith(ESM_REQUIRE_BANNER), name).toBe(true);
      expect(readdirSync(bundleDir)).toContain('index.mjs.map');
    },
  );

  it('every log group of the stack has a retention', () => {
    for (const [id, group] of Object.entries(template.findResources('AWS::Logs::LogGroup'))) {
      expect((group as { Properties: { RetentionInDays?: number } }).Properties.RetentionInDays, id).toEqual(
        expect.any(Number),
      );
    }
  });
});

describe('bindBucket', () => {
  it('refuses to point one environment variable at two buckets', () => {
    const stack = new Stack(new App({ outdir: scratchOutdir(), context: SKIP_BUNDLING }), 'Test');
    const fn = new OptallyFunction(stack, 'Fn', { name: 'api', description: 'test' });
    bindBucket(fn, new Bucket(stack, 'First'), 'read');

    expect(() => bindBucket(fn, new Bucket(stack, 'Second'), 'read')).toThrow(/BUCKET_NAME is already bound/);
  });

  it('binds the same bucket twice under different prefixes', () => {
    const stack = new Stack(new App({ outdir: scratchOutdir(), context: SKIP_BUNDLING }), 'Test');
    const fn = new OptallyFunction(stack, 'Fn', { name: 'api', description: 'test' });
    const bucket = new Bucket(stack, 'Bucket');

    bindBucket(fn, bucket, 'read');
    expect(() => bindBucket(fn, bucket, 'write', 'incoming/')).not.toThrow();
  });
});
