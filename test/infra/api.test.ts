import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkedReservedConcurrency,
  checkedThrottle,
  DEFAULT_ACCOUNT_CONCURRENCY,
  DEFAULT_API_RESERVED_CONCURRENCY,
  DEFAULT_API_THROTTLE,
  MIN_UNRESERVED_CONCURRENCY,
} from '../../infra/api.ts';
import { API_ROUTES, routeKey } from '../../infra/routes.ts';
import { USER_GROUPS } from '../../infra/user-directory.ts';
import { logicalIdOf, propertiesOf, synthesizeOptally } from './synth.ts';

const synthesized = synthesizeOptally({ validate: false });
const { template } = synthesized;
afterAll(() => synthesized.dispose());

const apiId = logicalIdOf(template, 'AWS::ApiGatewayV2::Api', 'HttpApi');
const authorizerId = logicalIdOf(template, 'AWS::ApiGatewayV2::Authorizer', 'CognitoJwt');
const userPoolId = logicalIdOf(template, 'AWS::Cognito::UserPool', 'UserPool');
const clientId = logicalIdOf(template, 'AWS::Cognito::UserPoolClient', 'AppClient');
const apiFnId = logicalIdOf(template, 'AWS::Lambda::Function', 'ApiHandlerFunction');
const distributionId = logicalIdOf(template, 'AWS::CloudFront::Distribution', 'Distribution');
const uploadsId = logicalIdOf(template, 'AWS::S3::Bucket', 'UploadsBucket');

type RouteProps = { RouteKey: string; AuthorizationType: string; AuthorizerId?: unknown; Target: unknown };
const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
  (route) => (route as { Properties: RouteProps }).Properties,
);
const routeFor = (key: string) => routes.find((route) => route.RouteKey === key);

/** Renders a CloudFormation Fn::Join as text, with `${Id}` for Ref and `${Id.Attr}` for Fn::GetAtt. */
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

describe('routes', () => {
  it('are exactly the routes of API_ROUTES', () => {
    expect(routes.map((route) => route.RouteKey).sort()).toEqual(API_ROUTES.map(routeKey).sort());
  });

  it.each(API_ROUTES.filter((route) => route.auth === 'jwt').map(routeKey))(
    '%s requires a Cognito JWT',
    (key) => {
      expect(routeFor(key)).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    },
  );

  it('leaves only GET /health, the API description and the signing public key public', () => {
    const publicRoutes = routes
      .filter((route) => route.AuthorizationType !== 'JWT')
      .map((route) => route.RouteKey)
      .sort();

    expect(publicRoutes).toEqual([
      'GET /health',
      'GET /openapi.json',
      'GET /operations/{op}/final/public-key',
    ]);
  });

  it('sends every route to the one api function', () => {
    const targets = new Set(routes.map((route) => JSON.stringify(route.Target)));
    expect(targets.size).toBe(1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [apiFnId, 'Arn'] },
      PayloadFormatVersion: '2.0',
    });
  });
});

describe('JWT authorizer', () => {
  it('accepts only ID tokens of our user pool issued to our app client', () => {
    expect(propertiesOf(template, authorizerId)).toEqual({
      ApiId: { Ref: apiId },
      Name: 'cognito-jwt',
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: clientId }],
        Issuer: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [userPoolId, 'ProviderURL'] }]] },
      },
    });
  });
});

describe('default stage', () => {
  const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as {
    Properties: Record<string, unknown>;
  };

  it('is the auto-deployed $default stage, throttled', () => {
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 5000, ThrottlingBurstLimit: 5000 },
    });
  });

  it('writes JSON access logs with the request id, the function request id and the caller identity to a log group with a retention', () => {
    const logs = stage.Properties.AccessLogSettings as {
      DestinationArn: { 'Fn::GetAtt': [string, string] };
      Format: string;
    };
    const format = JSON.parse(logs.Format) as Record<string, string>;

    expect(format).toMatchObject({
      requestId: '$context.requestId',
      integrationRequestId: '$context.integration.requestId',
      sub: '$context.authorizer.claims.sub',
    });
    expect(propertiesOf(template, logs.DestinationArn['Fn::GetAtt'][0]).RetentionInDays).toEqual(
      expect.any(Number),
    );
  });
});

describe('CORS', () => {
  it('is not left open on the API resource itself', () => {
    expect(propertiesOf(template, apiId).CorsConfiguration).toBeUndefined();
  });

  it('allows exactly the dashboard origin (the CloudFront domain), set once both exist', () => {
    const cors = Object.values(template.findResources('Custom::AWS'))
      .map((resource) => (resource as { Properties: { Create: unknown; Update: unknown } }).Properties)
      .map((props) => ({ create: renderJoin(props.Create), update: renderJoin(props.Update) }))
      .find((call) => call.create.includes('CorsConfiguration'));
    expect(cors).toBeDefined();
    const call = JSON.parse(cors!.create) as {
      action: string;
      parameters: { ApiId: string; CorsConfiguration: { AllowOrigins: string[]; AllowCredentials: boolean } };
    };

    expect(call.action).toBe('UpdateApi');
    expect(call.parameters.ApiId).toBe(`\${${apiId}}`);
    expect(call.parameters.CorsConfiguration.AllowOrigins).toEqual([
      `https://\${${distributionId}.DomainName}`,
    ]);
    expect(call.parameters.CorsConfiguration.AllowCredentials).toBe(false);
    expect(cors!.update).toBe(cors!.create);
  });

  it('lets the CORS custom resource update only this API', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'apigateway:PATCH',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': ['', Match.arrayWith([':apigateway:', '::/apis/', { Ref: apiId }])],
            },
          },
        ],
      },
    });
  });
});

describe('user pool', () => {
  it('is invitation-only, with MFA (TOTP) required and a strong password policy', () => {
    expect(propertiesOf(template, userPoolId)).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: expect.any(Number),
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      DeletionProtection: 'ACTIVE',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
    const policy = propertiesOf(template, userPoolId).Policies as {
      PasswordPolicy: { MinimumLength: number };
    };
    expect(policy.PasswordPolicy.MinimumLength).toBeGreaterThanOrEqual(12);
  });

  it('has a two-letter country custom attribute (the custom:country claim)', () => {
    expect(propertiesOf(template, userPoolId).Schema).toContainEqual({
      AttributeDataType: 'String',
      Mutable: true,
      Name: 'country',
      StringAttributeConstraints: { MinLength: '2', MaxLength: '2' },
    });
  });

  it('has the four role groups', () => {
    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map(
      (group) => (group as { Properties: { GroupName: string; UserPoolId: unknown } }).Properties,
    );

    expect(groups.map((group) => group.GroupName).sort()).toEqual([
      'admin',
      'agency',
      'auditor',
      'coordinator',
    ]);
    expect(Object.keys(USER_GROUPS).sort()).toEqual(['admin', 'agency', 'auditor', 'coordinator']);
    for (const group of groups) expect(group.UserPoolId).toEqual({ Ref: userPoolId });
  });

  it('has a public app client that can read custom:country but never write it', () => {
    const client = propertiesOf(template, clientId);

    expect(client).toMatchObject({ GenerateSecret: false, PreventUserExistenceErrors: 'ENABLED' });
    expect(client.ReadAttributes).toContain('custom:country');
    expect(client.WriteAttributes).toEqual(expect.any(Array));
    expect(client.WriteAttributes).not.toContain('custom:country');
  });
});

describe('api function permissions', () => {
  const statements = (
    propertiesOf(template, logicalIdOf(template, 'AWS::IAM::Policy', 'ApiHandlerRoleDefaultPolicy'))
      .PolicyDocument as {
      Statement: { Action: string | string[]; Resource: unknown }[];
    }
  ).Statement;

  it('may write (PutObject) only under incoming/, dryrun/, definitions/, final/ and exports/', () => {
    const puts = statements.filter((s) => JSON.stringify(s.Action).includes('s3:PutObject'));
    const resources = puts.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));

    expect(puts.every((s) => s.Action === 's3:PutObject')).toBe(true);
    expect(resources).toHaveLength(5);
    for (const suffix of ['/incoming/*', '/dryrun/*', '/definitions/*', '/final/*', '/exports/*']) {
      expect(resources).toContainEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [uploadsId, 'Arn'] }, suffix]] });
    }
  });

  it('may read anywhere in the uploads bucket (exports/ included, for its presigned links) but never delete', () => {
    expect(statements).toContainEqual({
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [uploadsId, 'Arn'] }, '/*']] },
    });
    expect(JSON.stringify(statements)).not.toMatch(/s3:(\*|Delete)/);
  });

  it('knows its table and bucket from the environment', () => {
    expect(propertiesOf(template, apiFnId).Environment).toEqual({
      Variables: expect.objectContaining({
        TABLE_NAME: { Ref: logicalIdOf(template, 'AWS::DynamoDB::GlobalTable', 'Table') },
        BUCKET_NAME: { Ref: uploadsId },
      }),
    });
  });
});

describe('routes and the api handler', () => {
  it('register every route the handler serves, with the same authorization', async () => {
    const { ROUTES } = await import('../../functions/api/routes.ts');
    const registered = new Map(API_ROUTES.map((route) => [routeKey(route), route.auth]));

    for (const route of ROUTES) {
      const key = `${route.method} ${route.pattern}`;
      expect(registered.get(key), key).toBe(route.auth ? 'jwt' : 'none');
    }
  });
});

describe('manifest signing key', () => {
  it('is an asymmetric ECC P-256 signing key in KMS, kept when the stack goes', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
      DeletionPolicy: 'Retain',
    });
  });

  it('lets only the api function sign with it (and read its public key), nothing more', () => {
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    const policies = template.findResources('AWS::IAM::Policy');
    const onKey = Object.entries(policies).flatMap(([id, p]) =>
      (p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
        .filter((s) => JSON.stringify(s.Resource).includes(String(keyId)))
        .map((s) => ({ id, actions: ([] as string[]).concat(s.Action).sort() })),
    );

    expect(onKey).toHaveLength(1);
    expect(onKey[0]?.id).toMatch(/^ApiHandler/);
    expect(onKey[0]?.actions).toEqual(['kms:GetPublicKey', 'kms:Sign']);
  });
});

describe('capacity from the polling model (docs/performance.md)', () => {
  it('throttles the stage at 5,000 requests/s with a burst of 5,000 by default', () => {
    expect(DEFAULT_API_THROTTLE).toEqual({ rateLimit: 5000, burstLimit: 5000 });
  });

  it('reserves 100 concurrent executions for the api function', () => {
    expect(propertiesOf(template, apiFnId).ReservedConcurrentExecutions).toBe(100);
    expect(DEFAULT_API_RESERVED_CONCURRENCY).toBe(100);
  });

  it('leaves the ingest and Lambda’s unreserved minimum within the account’s default 1,000', () => {
    const reserved = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((f) => (f as { Properties: { ReservedConcurrentExecutions?: number } }).Properties)
      .reduce((sum, p) => sum + (p.ReservedConcurrentExecutions ?? 0), 0);
    expect(reserved).toBeLessThanOrEqual(DEFAULT_ACCOUNT_CONCURRENCY - MIN_UNRESERVED_CONCURRENCY);
  });

  it('refuses a reserved concurrency the default account cannot give, or that is not a whole number', () => {
    expect(checkedReservedConcurrency(900, 1000)).toBe(900);
    expect(() => checkedReservedConcurrency(901, 1000)).toThrow(/from 1 to 900/);
    expect(() => checkedReservedConcurrency(0, 1000)).toThrow(RangeError);
    expect(() => checkedReservedConcurrency(12.5, 1000)).toThrow(RangeError);
    expect(checkedReservedConcurrency(2000, 5000)).toBe(2000);
  });

  it('refuses a stage throttle beyond the regional quota of 10,000 requests/s, burst 5,000', () => {
    expect(checkedThrottle({ rateLimit: 10_000, burstLimit: 5000 })).toEqual({
      rateLimit: 10_000,
      burstLimit: 5000,
    });
    expect(() => checkedThrottle({ rateLimit: 10_001, burstLimit: 5000 })).toThrow(/regional quota/);
    expect(() => checkedThrottle({ rateLimit: 5000, burstLimit: 5001 })).toThrow(RangeError);
    expect(() => checkedThrottle({ rateLimit: 0, burstLimit: 1 })).toThrow(RangeError);
  });
});
