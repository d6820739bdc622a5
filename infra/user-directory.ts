import { Duration, Lazy, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  CfnUserPoolGroup,
  ClientAttributes,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { CLI_REDIRECT_URI, type PublicSignInConfig, SIGN_IN_SCOPES } from '../shared/domain/sign-in.ts';

/** The Cognito groups; the api handler maps the `cognito:groups` claim onto these roles. */
export const USER_GROUPS = {
  admin: 'Operation admins: define, open, close, finalise and reopen operations.',
  coordinator: 'Coordination centre: reads all live data of every country.',
  auditor: 'Auditors: read final figures with provenance and the full submission ledger.',
  agency: 'Participating agencies: upload and read returns of their own country (custom:country).',
} as const;

/** A role name, as it appears in the `cognito:groups` claim. */
export type UserGroup = keyof typeof USER_GROUPS;

/** Settings of the user directory. */
export interface UserDirectoryProps {
  /**
   * Cognito threat protection (compromised-credential checks, adaptive authentication) in enforce
   * mode. Needs the Plus feature plan, billed per monthly active user.
   * @default true
   */
  readonly threatProtection?: boolean;
}

/** Where users sign in: see `UserDirectory.enableSignIn`. */
export interface SignInProps {
  /**
   * The dashboard's origin, `https://{distribution domain}`: the browser comes back to `{origin}/`
   * after signing in and after signing out.
   */
  readonly dashboardOrigin: string;
  /**
   * The prefix of the Cognito domain `https://{prefix}.auth.{region}.amazoncognito.com`: unique in
   * the region across all AWS accounts; lower-case letters, digits and hyphens; without the words
   * aws, amazon or cognito.
   */
  readonly domainPrefix: string;
}

/** The sign-in domain, and what the dashboard and the CLI are told about it in `/config.json`. */
export interface SignIn {
  readonly domain: UserPoolDomain;
  /** `https://{prefix}.auth.{region}.amazoncognito.com`. */
  readonly domainUrl: string;
  readonly publicConfig: PublicSignInConfig;
}

/** How long a sign-in lasts: see the app client for why. */
export const TOKEN_VALIDITY = {
  idToken: Duration.hours(1),
  accessToken: Duration.hours(1),
  refreshToken: Duration.days(30),
  /** How long a rotated-out refresh token still works, for a retry whose answer was lost. */
  refreshRotationGrace: Duration.seconds(10),
} as const;

/**
 * The Cognito user pool behind the API's JWT authorizer: invitation only, MFA (TOTP) required, the
 * four role groups, and a `country` custom attribute that reaches the API as the `custom:country`
 * claim of ID tokens. People sign in on Cognito's managed login pages (`enableSignIn`) with the
 * authorization-code flow and PKCE, from the dashboard and from `optally login`.
 *
 * Guarantee: a user cannot change their own country — the app client may not write it; only an
 * administrator (admin-update-user-attributes) can.
 */
export class UserDirectory extends Construct {
  readonly userPool: UserPool;
  /**
   * The one public client (no secret) of the dashboard and the CLI: authorization code with PKCE
   * on the managed login pages; SRP or password through the Cognito API for scripts.
   */
  readonly appClient: UserPoolClient;
  /** The token issuer: `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`. */
  readonly issuerUrl: string;
  /** Set by `enableSignIn`. */
  #signIn: SignIn | undefined;
  #dashboardUrl: string | undefined;

  constructor(scope: Construct, id: string, props: UserDirectoryProps = {}) {
    super(scope, id);
    const threatProtection = props.threatProtection ?? true;

    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        // ISO 3166-1 alpha-2. Mutable so an administrator can correct it; clients cannot write it.
        country: new StringAttribute({ minLen: 2, maxLen: 2, mutable: true }),
      },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Required for everyone, admins included: Cognito cannot require MFA for one group only. The
      // alternative — optional MFA, with the API refusing admin actions unless the ID token's `amr`
      // claim lists "mfa" — waits for Cognito's acr/amr claims, still rolling out region by region.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: threatProtection ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(threatProtection
        ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION }
        : {}),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    Object.entries(USER_GROUPS).forEach(([groupName, description], precedence) => {
      new CfnUserPoolGroup(this, `Group-${groupName}`, {
        userPoolId: this.userPool.userPoolId,
        groupName,
        description,
        precedence,
      });
    });

    // One client for the dashboard and the CLI rather than one each: both are public clients running
    // the same flow for the same people, and the API's authorizer names one audience. The dashboard's
    // callback is known only once the distribution exists, which itself needs the API (and so this
    // client's id through the authorizer): the URLs are filled in lazily by enableSignIn.
    const dashboardUrl = Lazy.string({ produce: () => this.#dashboardUrl });
    this.appClient = this.userPool.addClient('AppClient', {
      userPoolClientName: 'optally-cli-and-dashboard',
      // Browsers and command lines cannot keep a client secret: PKCE protects the code instead.
      generateSecret: false,
      // The managed login pages do the sign-in; SRP and USER_PASSWORD_AUTH stay so scripts can get a
      // token with `aws cognito-idp initiate-auth` (README, "Tokens for scripts").
      authFlows: { userSrp: true, userPassword: true },
      oAuth: {
        // Authorization code only: no implicit grant (tokens in URLs), no client credentials.
        flows: { authorizationCodeGrant: true },
        scopes: SIGN_IN_SCOPES.map((scope) => OAuthScope.custom(scope)),
        callbackUrls: [dashboardUrl, CLI_REDIRECT_URI],
        logoutUrls: [dashboardUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // An hour for ID and access tokens, which the API accepts until they expire. The refresh token
      // lasts 30 days so a coordinator's dashboard and an agency's `optally login` outlive an
      // operation's collection window (two weeks) without signing in again; `optally logout` and
      // signing out of the dashboard revoke it, and an admin can sign a user out everywhere
      // (admin-user-global-sign-out). Each refresh also replaces the refresh token (rotation), so
      // one copied from a disk or a browser stops working once its owner has used it; the new one
      // keeps the first one's expiry. (CDK then leaves out REFRESH_TOKEN_AUTH, which rotation forbids.)
      idTokenValidity: TOKEN_VALIDITY.idToken,
      accessTokenValidity: TOKEN_VALIDITY.accessToken,
      refreshTokenValidity: TOKEN_VALIDITY.refreshToken,
      refreshTokenRotationGracePeriod: TOKEN_VALIDITY.refreshRotationGrace,
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('country'),
      // Listed explicitly: left empty, Cognito would let users write every standard attribute, and
      // custom:country must never be self-service (it decides which country's data an agency sees).
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true, fullname: true }),
    });
    this.node.addValidation({
      validate: () =>
        this.#signIn ? [] : ['UserDirectory: call enableSignIn(…) so the app client has its callback URLs.'],
    });

    this.issuerUrl = `https://${this.userPool.userPoolProviderUrl}`;
  }

  /**
   * Opens Cognito's managed login on a Cognito domain for the app client, with the dashboard's
   * origin as its callback and logout URL (beside the CLI's loopback callback). Call once.
   */
  enableSignIn(props: SignInProps): SignIn {
    if (this.#signIn) throw new Error('UserDirectory.enableSignIn was called twice: call it once.');
    const domain = this.userPool.addDomain('SignInDomain', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    // Managed login shows an error page to a client without a style: Cognito's default one.
    new CfnManagedLoginBranding(this, 'SignInBranding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.appClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    this.#dashboardUrl = `${props.dashboardOrigin}/`;
    const domainUrl = domain.baseUrl();
    this.#signIn = {
      domain,
      domainUrl,
      publicConfig: {
        userPoolClientId: this.appClient.userPoolClientId,
        signInDomainUrl: domainUrl,
        issuer: this.issuerUrl,
      },
    };
    return this.#signIn;
  }
}
