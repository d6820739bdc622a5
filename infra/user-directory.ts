import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

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

/**
 * The Cognito user pool behind the API's JWT authorizer: invitation only, MFA (TOTP) required, the
 * four role groups, and a `country` custom attribute that reaches the API as the `custom:country`
 * claim of ID tokens.
 *
 * Guarantee: a user cannot change their own country — the app client may not write it; only an
 * administrator (admin-update-user-attributes) can.
 */
export class UserDirectory extends Construct {
  readonly userPool: UserPool;
  /** Public client (no secret) used by the CLI and the dashboard; SRP or password sign-in. */
  readonly appClient: UserPoolClient;
  /** The token issuer: `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`. */
  readonly issuerUrl: string;

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

    this.appClient = this.userPool.addClient('AppClient', {
      userPoolClientName: 'optally-cli-and-dashboard',
      // Browsers and command lines cannot keep a client secret.
      generateSecret: false,
      // SRP for the dashboard; USER_PASSWORD_AUTH so `aws cognito-idp initiate-auth` works from a shell.
      authFlows: { userSrp: true, userPassword: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('country'),
      // Listed explicitly: left empty, Cognito would let users write every standard attribute, and
      // custom:country must never be self-service (it decides which country's data an agency sees).
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true, fullname: true }),
    });

    this.issuerUrl = `https://${this.userPool.userPoolProviderUrl}`;
  }
}
