import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeNag, acknowledgeNagOnCdkSingleton, BASIC_EXECUTION_ROLE_FINDING } from './nag.ts';
import { bindBucket, bindTable, OptallyFunction } from './optally-function.ts';
import { API_ROUTES, routeKey } from './routes.ts';
import { BUCKET_PREFIXES } from './storage.ts';
import { UserDirectory } from './user-directory.ts';

/** Stage-wide request limits (API Gateway token bucket). */
export interface ApiThrottle {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Requests allowed in a burst. */
  readonly burstLimit: number;
}

/**
 * Default stage throttle, from the polling model (docs/performance.md): 10,000 dashboards polling
 * every 3 s are 3,333 requests/s; 5,000/s is 1.5× that and half the account's regional quota, so
 * polls can neither starve uploads nor the account's other APIs.
 */
export const DEFAULT_API_THROTTLE: ApiThrottle = { rateLimit: 5000, burstLimit: 5000 };

/** API Gateway's account quotas per region (requests/s, burst): a stage throttle above them means nothing. */
export const REGIONAL_API_QUOTA: ApiThrottle = { rateLimit: 10_000, burstLimit: 5000 };

/**
 * Default reserved concurrency of the api function: 3,333 polls/s × ≈ 6 ms ≈ 20 concurrent
 * executions; 100 is 5× that, for cold-start bursts (docs/performance.md).
 */
export const DEFAULT_API_RESERVED_CONCURRENCY = 100;

/** Lambda's default concurrency per account and region. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;

/** Lambda keeps at least this much of the account's concurrency unreserved. */
export const MIN_UNRESERVED_CONCURRENCY = 100;

/** Settings of the API construct. */
export interface ApiProps {
  readonly table: ITableV2;
  /** Read anywhere; `incoming/` writable so the function can sign presigned POSTs for uploads, `exports/` for large exports. */
  readonly uploadsBucket: IBucket;
  /** @default DEFAULT_API_THROTTLE */
  readonly throttle?: ApiThrottle;
  /** Concurrent executions reserved for (and the most allowed to) the api function. @default DEFAULT_API_RESERVED_CONCURRENCY */
  readonly reservedConcurrency?: number;
  /**
   * The account's Lambda concurrency in this region, against which `reservedConcurrency` is checked
   * (the ingest and Lambda's own unreserved minimum need the rest). @default DEFAULT_ACCOUNT_CONCURRENCY
   */
  readonly accountConcurrency?: number;
  /** @default true (see UserDirectoryProps.threatProtection) */
  readonly threatProtection?: boolean;
}

/** Why each public route needs no sign-in: every public route must have a reason here. */
const PUBLIC_ROUTES: Record<string, string> = {
  'GET /health':
    'GET /health is the unauthenticated health check (load balancers, uptime probes); it returns no data.',
  'GET /openapi.json':
    'GET /openapi.json is the OpenAPI description of the API, which national systems read before they have an account; it returns no data.',
  'GET /operations/{op}/final/public-key':
    'GET /operations/{op}/final/public-key publishes the public key final manifests are signed with, so an outsider can check a signature without an account; it returns no private data.',
};

/**
 * The HTTP API: every route of `API_ROUTES` → one api Lambda (it has its own router), behind a
 * Cognito JWT authorizer — the default for every route, so only routes that opt out (the health
 * check) are public. The authorizer checks signature, issuer, audience and expiry; it does not look
 * at groups, so roles stay enforced in the handler (shared policy). Stage throttling and JSON access
 * logs (who — the token's `sub` — did what, and which function invocation answered) on the `$default` stage.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly users: UserDirectory;
  /** The api function. */
  readonly function: OptallyFunction;
  readonly accessLogs: LogGroup;
  /** The key final manifests are signed with. */
  readonly signingKey: Key;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.users = new UserDirectory(this, 'Users', { threatProtection: props.threatProtection ?? true });

    this.function = new OptallyFunction(this, 'Handler', {
      name: 'api',
      description: 'Serves every route of the optally HTTP API (JWT claims → shared policy → response).',
      memorySize: 512,
      timeout: Duration.seconds(15),
    });
    const reserved = checkedReservedConcurrency(
      props.reservedConcurrency ?? DEFAULT_API_RESERVED_CONCURRENCY,
      props.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY,
    );
    (this.function.function.node.defaultChild as CfnFunction).reservedConcurrentExecutions = reserved;
    bindTable(this.function, props.table, 'readWrite');
    bindBucket(this.function, props.uploadsBucket, 'read');
    // Presigned POSTs for upload and dry-run slots are signed with this role; lifecycle changes
    // archive the definition and freeze the final manifest; final exports too large for a Lambda
    // response are written to exports/ (the bucket-wide read above covers their presigned GETs).
    for (const prefix of [
      BUCKET_PREFIXES.incoming,
      BUCKET_PREFIXES.dryrun,
      BUCKET_PREFIXES.definitions,
      BUCKET_PREFIXES.final,
      BUCKET_PREFIXES.exports,
    ]) {
      bindBucket(this.function, props.uploadsBucket, 'write', prefix);
    }

    // Final manifests are signed with an asymmetric KMS key: the private key never leaves KMS.
    // The function may sign with it and read its public key (to publish it), nothing else.
    this.signingKey = new Key(this, 'ManifestSigningKey', {
      description: 'Signs optally final manifests (ECDSA P-256); its public key is published by the API.',
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      // Signatures already handed to auditors must stay checkable: the key outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.function.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kms:Sign', 'kms:GetPublicKey'], resources: [this.signingKey.keyArn] }),
    );
    this.function.setEnvironment('SIGNING_KEY_ID', this.signingKey.keyArn);

    const authorizer = new HttpJwtAuthorizer('CognitoJwt', this.users.issuerUrl, {
      authorizerName: 'cognito-jwt',
      // ID tokens carry `aud` = the client id and the custom:country claim the handler needs.
      jwtAudience: [this.users.appClient.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });

    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `${Stack.of(this).stackName}-api`,
      description: 'optally reporting API',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_YEAR });
    const throttle = checkedThrottle(props.throttle ?? DEFAULT_API_THROTTLE);
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            // The api function's request id (function_request_id on its log lines, which carry
            // this requestId as correlation_id): a request can be followed either way.
            integrationRequestId: '$context.integration.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            route: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            bytes: '$context.responseLength',
            sub: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const integration = new HttpLambdaIntegration('ApiFunction', this.function.function);
    for (const route of API_ROUTES) {
      const [created] = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(route.auth === 'none' ? { authorizer: new HttpNoneAuthorizer() } : {}),
      });
      if (route.auth === 'none' && created) {
        const reason = PUBLIC_ROUTES[routeKey(route)];
        if (!reason)
          throw new Error(`${routeKey(route)} is public: say why in PUBLIC_ROUTES (infra/api.ts).`);
        acknowledgeNag(created, [{ id: 'AwsSolutions-APIG4', reason }]);
      }
    }
  }

  /**
   * Lets browsers on `origins` call the API directly (CORS).
   *
   * Applied after deployment by a custom resource instead of the API's own `corsPreflight`: the
   * dashboard origin is the CloudFront domain, and CloudFront needs the API's id for its origin, so
   * a CORS setting on the API resource would close a dependency cycle (API → distribution → API).
   */
  allowBrowserOrigins(origins: readonly string[]): AwsCustomResource {
    const stack = Stack.of(this);
    const apiArn = stack.formatArn({
      service: 'apigateway',
      account: '',
      // API Gateway ARNs name the REST path: arn:aws:apigateway:{region}::/apis/{id}.
      resource: '/apis',
      resourceName: this.httpApi.apiId,
    });
    const updateCors = {
      service: 'ApiGatewayV2',
      action: 'UpdateApi',
      parameters: {
        ApiId: this.httpApi.apiId,
        CorsConfiguration: {
          AllowOrigins: [...origins],
          AllowMethods: ['GET', 'POST', 'OPTIONS'],
          AllowHeaders: ['authorization', 'content-type', 'if-none-match', 'if-modified-since'],
          ExposeHeaders: ['etag', 'last-modified', 'location', 'x-manifest-sha256'],
          AllowCredentials: false,
          MaxAge: 600,
        },
      },
      physicalResourceId: PhysicalResourceId.of(`${this.httpApi.apiId}-cors`),
    };
    const resource = new AwsCustomResource(this, 'Cors', {
      onCreate: updateCors,
      onUpdate: updateCors,
      policy: AwsCustomResourcePolicy.fromStatements([
        // UpdateApi is an HTTP PATCH on the API resource in IAM terms.
        new PolicyStatement({ actions: ['apigateway:PATCH'], resources: [apiArn] }),
      ]),
      installLatestAwsSdk: false,
      logGroup: new LogGroup(this, 'CorsLogs', { retention: RetentionDays.ONE_MONTH }),
    });
    acknowledgeNagOnCdkSingleton(this, 'AWS679f53fac002430cb0da5b7982bd2287', [
      {
        id: BASIC_EXECUTION_ROLE_FINDING,
        reason:
          "CDK's AwsCustomResource provider runs only during deployment (one UpdateApi call); CDK gives its role the AWS managed basic execution policy and no way to replace it.",
      },
    ]);
    return resource;
  }
}

/** The stage throttle, when it is within API Gateway's regional quotas; else throws, saying which. */
export function checkedThrottle(throttle: ApiThrottle): ApiThrottle {
  const { rateLimit, burstLimit } = throttle;
  const fits = (n: number, most: number) => Number.isFinite(n) && n > 0 && n <= most;
  if (!fits(rateLimit, REGIONAL_API_QUOTA.rateLimit) || !fits(burstLimit, REGIONAL_API_QUOTA.burstLimit)) {
    throw new RangeError(
      `API throttle ${rateLimit} requests/s, burst ${burstLimit}: both must be above 0 and within the ` +
        `regional quota (${REGIONAL_API_QUOTA.rateLimit} requests/s, burst ${REGIONAL_API_QUOTA.burstLimit}); ` +
        'ask AWS for a higher quota first, then raise REGIONAL_API_QUOTA.',
    );
  }
  return throttle;
}

/**
 * The api function's reserved concurrency, when the account can give it and keep Lambda's
 * unreserved minimum for everything else (the ingest included); else throws, saying what fits.
 */
export function checkedReservedConcurrency(reserved: number, account: number): number {
  const most = account - MIN_UNRESERVED_CONCURRENCY;
  if (!Number.isInteger(reserved) || reserved < 1 || reserved > most) {
    throw new RangeError(
      `API reserved concurrency ${reserved}: use a whole number from 1 to ${most} (the account's ` +
        `${account} concurrent executions less the ${MIN_UNRESERVED_CONCURRENCY} Lambda keeps unreserved), ` +
        'or raise the account concurrency and pass it as accountConcurrency.',
    );
  }
  return reserved;
}
