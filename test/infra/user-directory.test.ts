import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSignInDomainPrefix } from '../../infra/optally-stack.ts';
import { CLI_REDIRECT_URI } from '../../shared/domain/sign-in.ts';
import { logicalIdOf, propertiesOf, synthesizeOptally } from './synth.ts';

// Validation on: synthesis fails on a dependency cycle, which the lazily filled callback URL of the
// app client (the distribution needs the API, whose authorizer needs the client) could create.
const synthesized = synthesizeOptally({ context: { signInDomainPrefix: 'optally-test' } });
const { template } = synthesized;
afterAll(() => synthesized.dispose());

const userPoolId = logicalIdOf(template, 'AWS::Cognito::UserPool', 'UserPool');
const clientId = logicalIdOf(template, 'AWS::Cognito::UserPoolClient', 'AppClient');
const distributionId = logicalIdOf(template, 'AWS::CloudFront::Distribution', 'Distribution');
const client = propertiesOf(template, clientId);
const dashboardUrl = {
  'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/']],
};

describe('the sign-in domain', () => {
  it('is a Cognito prefix domain with managed login, on the user pool', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'optally-test',
      UserPoolId: { Ref: userPoolId },
      ManagedLoginVersion: 2,
    });
  });

  it('gives the app client a managed-login style, without which Cognito shows an error page', () => {
    template.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
      UserPoolId: { Ref: userPoolId },
      ClientId: { Ref: clientId },
      UseCognitoProvidedValues: true,
    });
  });

  it('defaults to the stack name and the account id', () => {
    const defaulted = synthesizeOptally({ validate: false });
    const domain = Object.values(defaulted.template.findResources('AWS::Cognito::UserPoolDomain'))[0] as {
      Properties: { Domain: unknown };
    };
    expect(domain.Properties.Domain).toEqual({ 'Fn::Join': ['', ['optally-', { Ref: 'AWS::AccountId' }]] });
  });

  it('refuses a stack name that Cognito would refuse in the prefix, naming the context key', () => {
    expect(() => defaultSignInDomainPrefix('AwsOptally')).toThrow(/contains "aws".*-c signInDomainPrefix=/);
  });

  it('is published in /config.json with the client id and the issuer', () => {
    // Source.jsonData leaves a marker in the file for each deploy-time value, resolved by the deployment.
    const markers = JSON.stringify(
      Object.values(template.findResources('Custom::CDKBucketDeployment')).map(
        (d) => (d as { Properties: { SourceMarkers?: unknown } }).Properties.SourceMarkers,
      ),
    );
    expect(markers).toContain(`{"Ref":"${clientId}"}`);
    expect(markers).toContain(
      `{"Ref":"${logicalIdOf(template, 'AWS::Cognito::UserPoolDomain', 'SignInDomain')}"}`,
    );
    expect(markers).toContain(`${userPoolId}","ProviderURL"`);
  });
});

describe("the dashboard's content security policy", () => {
  it("lets the page call the sign-in domain's token and revoke endpoints", () => {
    const [policy] = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    const csp = JSON.stringify(
      (policy as { Properties: { ResponseHeadersPolicyConfig: { SecurityHeadersConfig: unknown } } })
        .Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig,
    );

    expect(csp).toMatch(
      /connect-src 'self' [^;]*https:\/\/\*\.auth\.",\{"Ref":"AWS::Region"\},"\.amazoncognito\.com/,
    );
  });
});

describe('the app client', () => {
  it('is public: no secret, so the dashboard and the CLI prove themselves with PKCE', () => {
    expect(client.GenerateSecret).toBe(false);
  });

  it('allows the authorization-code grant only, with the openid, email and profile scopes', () => {
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect([...(client.AllowedOAuthScopes as string[])].sort()).toEqual(['email', 'openid', 'profile']);
    expect(client.SupportedIdentityProviders).toEqual(['COGNITO']);
  });

  it("calls back to the dashboard's CloudFront origin and to the CLI's loopback address", () => {
    expect(client.CallbackURLs).toEqual([dashboardUrl, CLI_REDIRECT_URI]);
    expect(client.LogoutURLs).toEqual([dashboardUrl]);
  });

  it('uses plain http only for localhost, the one host Cognito allows it for', () => {
    expect(new URL(CLI_REDIRECT_URI).hostname).toBe('localhost');
  });

  it('issues refresh tokens for 30 days, ID and access tokens for an hour, and can revoke them', () => {
    expect(client).toMatchObject({
      RefreshTokenValidity: 30 * 24 * 60,
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      TokenValidityUnits: { RefreshToken: 'minutes', IdToken: 'minutes', AccessToken: 'minutes' },
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
    });
  });

  it('rotates the refresh token at each use, and so offers no REFRESH_TOKEN_AUTH flow', () => {
    expect(client.RefreshTokenRotation).toEqual({ Feature: 'ENABLED', RetryGracePeriodSeconds: 10 });
    expect(client.ExplicitAuthFlows).not.toContain('ALLOW_REFRESH_TOKEN_AUTH');
    expect(client.ExplicitAuthFlows).toEqual(
      expect.arrayContaining(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']),
    );
  });

  it('is the audience of the API authorizer, so its ID tokens are accepted', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: Match.objectLike({ Audience: [{ Ref: clientId }] }),
    });
  });

  it('may read custom:country but never write it', () => {
    expect(client.ReadAttributes).toContain('custom:country');
    expect(client.WriteAttributes).not.toContain('custom:country');
  });
});

describe('the user pool', () => {
  it('requires TOTP MFA of everyone, admins included', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
  });

  it('lets only administrators create users (invitation only)', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
    });
  });
});
