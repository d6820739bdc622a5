import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { CachePolicy, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { afterAll, describe, expect, it } from 'vitest';
import { API_PATH_PATTERNS } from '../../infra/dashboard-hosting.ts';
import { createOptallyApp } from '../../infra/optally-app.ts';
import { API_CONTRACT } from '../../shared/api/contract.ts';
import { logicalIdOf, propertiesOf, SKIP_BUNDLING, scratchOutdir, synthesizeOptally } from './synth.ts';

// A built dashboard of our own, so the test does not depend on whether web/dist exists right now.
const webDist = mkdtempSync(join(tmpdir(), 'optally-web-'));
writeFileSync(join(webDist, 'index.html'), '<!doctype html><title>fixture</title>');
writeFileSync(join(webDist, 'app-0123ABCD.js'), 'export {};');

const synthesized = synthesizeOptally({ validate: false, stackProps: { webDistPath: webDist } });
const { template, stack } = synthesized;
afterAll(() => {
  synthesized.dispose();
  rmSync(webDist, { recursive: true, force: true });
});

const distributionId = logicalIdOf(template, 'AWS::CloudFront::Distribution', 'Distribution');
const siteBucketId = logicalIdOf(template, 'AWS::S3::Bucket', 'SiteBucket');
const headersPolicyId = logicalIdOf(template, 'AWS::CloudFront::ResponseHeadersPolicy', 'SecurityHeaders');
const rollupCachePolicyId = logicalIdOf(template, 'AWS::CloudFront::CachePolicy', 'RollupCachePolicy');
const rollupRequestPolicyId = logicalIdOf(
  template,
  'AWS::CloudFront::OriginRequestPolicy',
  'RollupOriginRequest',
);
const apiId = logicalIdOf(template, 'AWS::ApiGatewayV2::Api', 'HttpApi');

const uploadsBucketId = logicalIdOf(template, 'AWS::S3::Bucket', 'UploadsBucket');

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

type Behavior = {
  PathPattern?: string;
  TargetOriginId: string;
  ViewerProtocolPolicy: string;
  CachePolicyId: unknown;
  OriginRequestPolicyId?: unknown;
  ResponseHeadersPolicyId: unknown;
  AllowedMethods?: string[];
};
type Origin = {
  Id: string;
  DomainName: unknown;
  OriginAccessControlId?: unknown;
  S3OriginConfig?: unknown;
  CustomOriginConfig?: unknown;
};
const config = (propertiesOf(template, distributionId) as { DistributionConfig: Record<string, unknown> })
  .DistributionConfig;
const defaultBehavior = config.DefaultCacheBehavior as Behavior;
const behaviors = config.CacheBehaviors as Behavior[];
const origins = config.Origins as Origin[];
const behaviorFor = (pattern: string) => behaviors.find((behavior) => behavior.PathPattern === pattern)!;
const originOf = (behavior: Behavior) => origins.find((origin) => origin.Id === behavior.TargetOriginId)!;

describe('static dashboard', () => {
  it('is read from S3 through origin access control (SigV4, always signed), not a public bucket', () => {
    const origin = originOf(defaultBehavior);

    expect(origin.DomainName).toEqual({ 'Fn::GetAtt': [siteBucketId, 'RegionalDomainName'] });
    expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(origin.OriginAccessControlId).toEqual({
      'Fn::GetAtt': [
        logicalIdOf(template, 'AWS::CloudFront::OriginAccessControl', 'OriginAccessControl'),
        'Id',
      ],
    });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
  });

  it('lets only this distribution read the site bucket', () => {
    const statements = (
      propertiesOf(template, logicalIdOf(template, 'AWS::S3::BucketPolicy', 'SiteBucketPolicy'))
        .PolicyDocument as {
        Statement: { Effect: string; Principal: unknown; Condition?: unknown }[];
      }
    ).Statement.filter((statement) => statement.Effect === 'Allow');

    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Condition: {
        StringEquals: { 'AWS:SourceArn': expect.objectContaining({ 'Fn::Join': expect.any(Array) }) },
      },
    });
    expect(JSON.stringify(statements[0]!.Condition)).toContain(distributionId);
  });

  it('redirects HTTP to HTTPS and serves index.html at the root', () => {
    expect(defaultBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultRootObject).toBe('index.html');
  });

  it('has no custom error responses, which would also rewrite the API answers', () => {
    expect(config.CustomErrorResponses).toBeUndefined();
  });

  it('logs every request to the log bucket', () => {
    expect(config.Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::S3::Bucket', 'LogBucket'), 'RegionalDomainName'] },
      Prefix: 'cloudfront/',
    });
  });

  type Deployment = {
    DestinationBucketName: unknown;
    Include?: string[];
    Exclude?: string[];
    Prune: boolean;
    SystemMetadata: Record<string, string>;
    DistributionId?: unknown;
    DistributionPaths?: string[];
  };
  const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment')).map(
    (resource) => (resource as { Properties: Deployment }).Properties,
  );
  const entryDeployment = deployments.find((deployment) => deployment.Include?.includes('index.html'));
  const assetDeployment = deployments.find((deployment) => deployment.Exclude?.includes('index.html'));

  it('deploys index.html, config.json and cli.json revalidated on every load, then invalidates the cache', () => {
    expect(entryDeployment).toMatchObject({
      DestinationBucketName: { Ref: siteBucketId },
      Exclude: ['*'],
      Include: ['index.html', 'config.json', 'cli.json'],
      Prune: false,
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionId: { Ref: distributionId },
      DistributionPaths: ['/*'],
    });
  });

  it('deploys the content-hashed files (the CLI among them) cacheable for ever, before index.html goes live', () => {
    expect(assetDeployment).toMatchObject({
      DestinationBucketName: { Ref: siteBucketId },
      Exclude: ['index.html', 'config.json', 'cli.json'],
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    const deploymentIds = Object.keys(template.findResources('Custom::CDKBucketDeployment'));
    const entryId = deploymentIds.find((id) => propertiesOf(template, id).Include !== undefined)!;
    const assetId = deploymentIds.find((id) => id !== entryId);

    expect(template.toJSON().Resources[entryId].DependsOn).toContain(assetId);
  });

  it('deploys a placeholder page when the dashboard has not been built', () => {
    const emptyDist = mkdtempSync(join(tmpdir(), 'optally-web-empty-'));
    try {
      const { stack: bare } = createOptallyApp({
        outdir: scratchOutdir(),
        context: SKIP_BUNDLING,
        validate: false,
        stackProps: { webDistPath: emptyDist },
      });
      const deploymentsWithoutBuild = Template.fromStack(bare).findResources('Custom::CDKBucketDeployment');

      expect(Object.keys(deploymentsWithoutBuild)).toHaveLength(1);
    } finally {
      rmSync(emptyDist, { recursive: true, force: true });
    }
  });
});

describe('security headers', () => {
  const security = (
    propertiesOf(template, headersPolicyId).ResponseHeadersPolicyConfig as {
      SecurityHeadersConfig: Record<string, Record<string, unknown>>;
    }
  ).SecurityHeadersConfig;

  it('sends HSTS for at least a year, with subdomains', () => {
    expect(security.StrictTransportSecurity).toMatchObject({ IncludeSubdomains: true, Override: true });
    expect(security.StrictTransportSecurity!.AccessControlMaxAgeSec as number).toBeGreaterThanOrEqual(
      31_536_000,
    );
  });

  it('sends nosniff, DENY framing and a referrer policy', () => {
    expect(security.ContentTypeOptions).toEqual({ Override: true });
    expect(security.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(security.ReferrerPolicy).toEqual({
      ReferrerPolicy: 'strict-origin-when-cross-origin',
      Override: true,
    });
  });

  it('sends a Content-Security-Policy limited to our own origin, Cognito and the uploads bucket', () => {
    const csp = JSON.stringify(security.ContentSecurityPolicy);

    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "object-src 'none'",
      "frame-ancestors 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).toContain('https://cognito-idp.');
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('lets the page connect to exactly its own origin, Cognito and the uploads bucket, and submit no form', () => {
    const csp = renderJoin(security.ContentSecurityPolicy!.ContentSecurityPolicy);
    const directive = (name: string) =>
      csp
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith(`${name} `));

    expect(directive('connect-src')).toBe(
      `connect-src 'self' https://cognito-idp.\${AWS::Region}.\${AWS::URLSuffix} https://*.auth.\${AWS::Region}.amazoncognito.com https://\${${uploadsBucketId}.RegionalDomainName}`,
    );
    expect(directive('form-action')).toBe("form-action 'none'");
  });

  it('applies to every behavior, API included', () => {
    for (const behavior of [defaultBehavior, ...behaviors]) {
      expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: headersPolicyId });
    }
  });
});

describe('API behind the distribution', () => {
  it('routes the rollup first, then every other /operations path, /health and /openapi.json, all to API Gateway', () => {
    expect(behaviors.map((behavior) => behavior.PathPattern)).toEqual([
      API_PATH_PATTERNS.rollup,
      API_PATH_PATTERNS.operations,
      API_PATH_PATTERNS.health,
      API_PATH_PATTERNS.openapi,
    ]);
    for (const behavior of behaviors) {
      expect(originOf(behavior).DomainName).toEqual({
        'Fn::Join': [
          '',
          [{ Ref: apiId }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }],
        ],
      });
      expect(behavior.ViewerProtocolPolicy).toBe('https-only');
    }
  });

  it('routes every path of the API contract to API Gateway, none to the dashboard bucket', () => {
    // CloudFront path patterns: `*` any characters, `?` one character.
    const matches = (pattern: string, path: string) =>
      new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      ).test(path);
    const unrouted = API_CONTRACT.map((route) => route.path.replace(/\{[^}]+\}/g, 'x')).filter(
      (path) => !behaviors.some((behavior) => matches(behavior.PathPattern as string, path)),
    );

    expect(unrouted).toEqual([]);
  });

  it('answers GET and HEAD only for /openapi.json', () => {
    expect(behaviorFor(API_PATH_PATTERNS.openapi).AllowedMethods).toEqual(['GET', 'HEAD']);
  });

  it('talks to API Gateway over HTTPS with TLS 1.2 only', () => {
    expect(originOf(behaviors[0]!).CustomOriginConfig).toEqual({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
  });

  it('caches the rollup per token: MinTTL 0 so the origin Cache-Control rules, a small default TTL', () => {
    const rollup = behaviorFor(API_PATH_PATTERNS.rollup);
    const policy = (
      propertiesOf(template, rollupCachePolicyId) as {
        CachePolicyConfig: { MinTTL: number; DefaultTTL: number; MaxTTL: number };
      }
    ).CachePolicyConfig;

    expect(rollup.CachePolicyId).toEqual({ Ref: rollupCachePolicyId });
    expect(policy.MinTTL).toBe(0);
    expect(policy.DefaultTTL).toBeGreaterThan(0);
    expect(policy.DefaultTTL).toBeLessThanOrEqual(10);
  });

  it('keys the rollup cache on Authorization and the rollup query strings, never on cookies', () => {
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: {
        ParametersInCacheKeyAndForwardedToOrigin: {
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] },
          QueryStringsConfig: {
            QueryStringBehavior: 'whitelist',
            QueryStrings: ['updatedAfter', 'country', 'asOf'],
          },
          CookiesConfig: { CookieBehavior: 'none' },
        },
      },
    });
  });

  it('forwards viewer headers except Host and no cookies to the origin for the rollup', () => {
    expect(behaviorFor(API_PATH_PATTERNS.rollup).OriginRequestPolicyId).toEqual({
      Ref: rollupRequestPolicyId,
    });
    expect(propertiesOf(template, rollupRequestPolicyId)).toMatchObject({
      OriginRequestPolicyConfig: {
        HeadersConfig: { HeaderBehavior: 'allExcept', Headers: ['Host'] },
        CookiesConfig: { CookieBehavior: 'none' },
        QueryStringsConfig: {
          QueryStringBehavior: 'whitelist',
          QueryStrings: ['updatedAfter', 'country', 'asOf'],
        },
      },
    });
  });

  it.each([API_PATH_PATTERNS.operations, API_PATH_PATTERNS.health])(
    'never caches %s and forwards every viewer header but Host (Authorization included)',
    (pattern) => {
      const behavior = behaviorFor(pattern);

      expect(behavior.CachePolicyId).toBe(stack.resolve(CachePolicy.CACHING_DISABLED.cachePolicyId));
      expect(behavior.OriginRequestPolicyId).toBe(
        stack.resolve(OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId),
      );
    },
  );

  it('serves the rollup history (its limit and cursor) by the uncached /operations behavior, not the rollup one', () => {
    const matches = (pattern: string, path: string) =>
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(path);
    const history = '/operations/liberterra-iii/rollup/history';
    expect(matches(API_PATH_PATTERNS.rollup, history)).toBe(false);
    expect(matches(API_PATH_PATTERNS.operations, history)).toBe(true);
  });

  it('accepts POST on /operations paths and only reads elsewhere', () => {
    expect(behaviorFor(API_PATH_PATTERNS.operations).AllowedMethods).toContain('POST');
    expect(behaviorFor(API_PATH_PATTERNS.rollup).AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(behaviorFor(API_PATH_PATTERNS.health).AllowedMethods).toEqual(['GET', 'HEAD']);
  });
});

describe('the dashboard build a deployment ships', () => {
  it('builds the CLI before the dashboard, which offers it with its SHA-256', () => {
    const scripts = (
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    const steps = (scripts['build:web'] ?? '').split('&&').map((step) => step.trim());

    expect(steps).toEqual(['npm run build:cli', 'tsx web/build.ts']);
  });
});
