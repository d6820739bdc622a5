import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CacheCookieBehavior,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestCookieBehavior,
  OriginRequestHeaderBehavior,
  OriginRequestPolicy,
  OriginRequestQueryStringBehavior,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { REPO_ROOT } from './bundling.ts';
import {
  acknowledgeNag,
  acknowledgeNagOnCdkSingleton,
  BASIC_EXECUTION_ROLE_FINDING,
  nagResourceText,
} from './nag.ts';
import { allowBrowserTransfers } from './storage.ts';

/** Query strings that select what the rollup returns; the only ones in its cache key. */
export const ROLLUP_QUERY_STRINGS = ['updatedAfter', 'country', 'asOf'] as const;

/** CloudFront path patterns routed to the API, in precedence order (the rollup first). */
export const API_PATH_PATTERNS = {
  rollup: '/operations/*/rollup',
  operations: '/operations*',
  health: '/health',
  openapi: '/openapi.json',
} as const;

/** Shown when the dashboard has not been built (web/dist missing): synth must not depend on it. */
const PLACEHOLDER_INDEX = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>optally</title></head>
<body><h1>optally</h1><p>The dashboard has not been built yet: run the web build, then deploy again.</p></body></html>
`;

/** Settings of the dashboard hosting. */
export interface DashboardHostingProps {
  /** The API served under `/operations*`, `/health` and `/openapi.json` on the same domain. */
  readonly httpApi: IHttpApi;
  /** Receives the CloudFront standard logs (prefix `cloudfront/`) and the site bucket's access logs. */
  readonly logBucket: IBucket;
  /** Browsers upload straight to it with presigned POSTs, so the CSP must allow connecting to it. */
  readonly uploadsBucket: IBucket;
  /** Written as `/config.json` for the dashboard (user pool id, client id, region, …). */
  readonly publicConfig: Readonly<Record<string, string>>;
  /** @default web/dist of the repository; a placeholder page is deployed when it has no index.html */
  readonly webDistPath?: string;
  /**
   * ARN of a WAF web ACL (scope CLOUDFRONT, created in us-east-1) to attach.
   * @default none
   */
  readonly webAclArn?: string;
}

/**
 * The dashboard: a private S3 bucket served by CloudFront through origin access control, with
 * security headers, and the API behind the same distribution — one origin for the browser, so the
 * dashboard calls the API with relative URLs.
 *
 * Caching: the rollup (polled by every open dashboard) may be cached at the edge for a few seconds,
 * per bearer token, honouring the origin's Cache-Control; every other API path is never cached.
 */
export class DashboardHosting extends Construct {
  readonly siteBucket: Bucket;
  readonly distribution: Distribution;
  /** Cache policy of the rollup path. */
  readonly rollupCachePolicy: CachePolicy;
  readonly responseHeadersPolicy: ResponseHeadersPolicy;
  /** `https://{distribution domain}`: the dashboard origin (for CORS). */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: DashboardHostingProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.siteBucket = new Bucket(this, 'SiteBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.logBucket,
      serverAccessLogsPrefix: 'dashboard-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const cognitoEndpoint = `https://cognito-idp.${stack.region}.${stack.urlSuffix}`;
    const uploadEndpoint = `https://${props.uploadsBucket.bucketRegionalDomainName}`;
    this.responseHeadersPolicy = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'optally: security headers on every response',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        contentSecurityPolicy: {
          // connect-src: the API (same origin), Cognito sign-in, and the uploads bucket, exactly: the
          // page posts returns to an upload slot there with XMLHttpRequest (for its progress events),
          // which connect-src governs. No form is ever submitted to navigate anywhere, so
          // form-action is 'none', as in the page's own <meta> policy.
          contentSecurityPolicy: [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            `connect-src 'self' ${cognitoEndpoint} https://*.auth.${stack.region}.amazoncognito.com ${uploadEndpoint}`,
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'none'",
            "frame-ancestors 'none'",
          ].join('; '),
          override: true,
        },
      },
    });

    const apiOrigin = new HttpOrigin(
      `${props.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`,
      {
        protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      },
    );

    // The Authorization header cannot be put in an origin request policy (CloudFront rejects it), and
    // on a cached behavior CloudFront only forwards it when it is part of the cache key. So the rollup
    // cache policy keys on Authorization: it reaches API Gateway's JWT authorizer, and a response
    // cached for one token is never served to another. MinTTL 0 lets the origin's Cache-Control
    // (no-store, max-age) decide; the small default only applies when the origin says nothing.
    // No cookies: the API does not use them, and in the cache key they would only split the cache.
    this.rollupCachePolicy = new CachePolicy(this, 'RollupCachePolicy', {
      comment: 'optally rollup: per-token, origin-controlled, a few seconds by default',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(5),
      maxTtl: Duration.seconds(60),
      headerBehavior: CacheHeaderBehavior.allowList('Authorization'),
      queryStringBehavior: CacheQueryStringBehavior.allowList(...ROLLUP_QUERY_STRINGS),
      cookieBehavior: CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    // Like the managed AllViewerExceptHostHeader policy (API Gateway routes on its own Host name, so
    // the viewer's must not be forwarded), minus cookies — that managed policy forwards all cookies.
    const rollupOriginRequestPolicy = new OriginRequestPolicy(this, 'RollupOriginRequestPolicy', {
      comment: 'optally rollup: viewer headers except Host, the rollup query strings, no cookies',
      headerBehavior: OriginRequestHeaderBehavior.denyList('Host'),
      queryStringBehavior: OriginRequestQueryStringBehavior.allowList(...ROLLUP_QUERY_STRINGS),
      cookieBehavior: OriginRequestCookieBehavior.none(),
    });

    const uncachedApi = {
      origin: apiOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      // With caching disabled, the managed AllViewerExceptHostHeader policy does forward
      // Authorization (it is only barred from origin request policies of cached behaviors).
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.responseHeadersPolicy,
    };

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'optally dashboard and API',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.siteBucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        compress: true,
      },
      // Insertion order is precedence: the rollup pattern must come before `/operations*`.
      additionalBehaviors: {
        [API_PATH_PATTERNS.rollup]: {
          origin: apiOrigin,
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
          cachePolicy: this.rollupCachePolicy,
          originRequestPolicy: rollupOriginRequestPolicy,
          responseHeadersPolicy: this.responseHeadersPolicy,
          compress: true,
        },
        [API_PATH_PATTERNS.operations]: { ...uncachedApi, allowedMethods: AllowedMethods.ALLOW_ALL },
        [API_PATH_PATTERNS.health]: { ...uncachedApi, allowedMethods: AllowedMethods.ALLOW_GET_HEAD },
        [API_PATH_PATTERNS.openapi]: { ...uncachedApi, allowedMethods: AllowedMethods.ALLOW_GET_HEAD },
      },
      // No custom error responses on purpose: they apply to every behavior, and would turn the API's
      // 401/403/404 answers into the dashboard's index page.
      httpVersion: HttpVersion.HTTP2_AND_3,
      // Agencies report from every continent.
      priceClass: PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront/',
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
    // The page posts returns straight to the uploads bucket: its CORS rules name this origin.
    allowBrowserTransfers(this, 'UploadsCors', props.uploadsBucket, [this.origin]);

    acknowledgeNag(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'No geo restriction: the participants are agencies of over a hundred countries, and access is controlled by Cognito sign-in, not by location.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default *.cloudfront.net certificate, for which CloudFront fixes the viewer TLS policy; use a custom domain and certificate to pin TLSv1.2_2021.',
      },
      ...(props.webAclArn
        ? []
        : [
            {
              id: 'AwsSolutions-CFR2',
              reason:
                'No WAF by default (a web ACL costs a monthly fee per ACL and rule): the API requires a Cognito JWT on every data route and is throttled per stage. Pass -c webAclArn=… to attach one.',
            },
          ]),
    ]);

    // Two syncs, as web/README.md asks: content-hashed files cached for ever, index.html,
    // config.json and cli.json revalidated on every load. Excluded files are also spared by each
    // sync's pruning. The web build stages the built CLI (cli/optally-{version}-{sha8}.mjs, named
    // by content, so cacheable for ever) and cli.json, its name, size, SHA-256 and version, which
    // the page reads for its "Get the CLI" link; without a built CLI there is neither.
    const webDist = props.webDistPath ?? join(REPO_ROOT, 'web', 'dist');
    const built = existsSync(join(webDist, 'index.html'));
    const entryFiles = ['index.html', 'config.json', 'cli.json'];
    const assets = built
      ? new BucketDeployment(this, 'DeployAssets', {
          sources: [Source.asset(webDist)],
          destinationBucket: this.siteBucket,
          exclude: entryFiles,
          cacheControl: [
            CacheControl.setPublic(),
            CacheControl.maxAge(Duration.days(365)),
            CacheControl.immutable(),
          ],
        })
      : undefined;
    const entry = new BucketDeployment(this, 'DeployEntry', {
      sources: [
        built ? Source.asset(webDist) : Source.data('index.html', PLACEHOLDER_INDEX),
        Source.jsonData('config.json', props.publicConfig),
      ],
      destinationBucket: this.siteBucket,
      exclude: ['*'],
      include: entryFiles,
      prune: false,
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
    // index.html must not go live before the files it references.
    if (assets) entry.node.addDependency(assets);
    const deployer = "CDK's bucket-deployment function runs only during deployment";
    acknowledgeNagOnCdkSingleton(this, 'Custom::CDKBucketDeployment', [
      {
        id: BASIC_EXECUTION_ROLE_FINDING,
        reason: `${deployer}; CDK gives its role the AWS managed basic execution policy and no way to replace it.`,
      },
      ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `${deployer}: it syncs (copies, overwrites, prunes) the dashboard files, scoped by CDK to the asset bucket and the site bucket.`,
      })),
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        reason: `${deployer}: it reads the dashboard bundle from the CDK bootstrap asset bucket.`,
      },
      {
        id: `AwsSolutions-IAM5[Resource::${nagResourceText(this, this.siteBucket.arnForObjects('*'))}]`,
        reason: `${deployer}: it writes and prunes every file of the site bucket, which holds only the dashboard build.`,
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${deployer}: it invalidates the CloudFront cache, and cloudfront:CreateInvalidation/GetInvalidation are granted by CDK on "*".`,
      },
      {
        id: 'AwsSolutions-L1',
        reason: `${deployer}; its Python runtime is pinned by CDK together with the AWS CLI layer it ships, and is not ours to choose.`,
      },
    ]);
  }
}
