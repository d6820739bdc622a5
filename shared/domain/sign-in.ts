/**
 * Sign-in through the identity provider (Cognito's managed login on AWS), as the dashboard and the
 * CLI both see it: the fields of the public `/config.json` that describe it, written by the CDK
 * stack, and the endpoints derived from them. Defined once here so the stack, the dashboard and
 * the CLI cannot disagree on a name.
 */

/**
 * Where `optally login` receives the authorization code. Cognito matches callback URLs exactly,
 * port included, and accepts plain http only for `localhost`: so a fixed port, registered on the
 * app client by the stack.
 */
export const CLI_REDIRECT_URI = 'http://localhost:8976/callback';

/** The port of `CLI_REDIRECT_URI`, on which `optally login` listens (loopback only). */
export const CLI_REDIRECT_PORT = Number(new URL(CLI_REDIRECT_URI).port);

/** The `/config.json` fields about sign-in (besides region, user pool and API base URL). */
export type PublicSignInConfig = {
  /** The app client: public (no secret), authorization code with PKCE only. */
  userPoolClientId: string;
  /** The sign-in domain, e.g. `https://optally-123.auth.eu-west-1.amazoncognito.com`. */
  signInDomainUrl: string;
  /** The tokens' issuer: `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`. */
  issuer: string;
};

/** Everything a client needs to run the authorization-code flow with PKCE, refresh and sign out. */
export type SignInEndpoints = {
  clientId: string;
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** RFC 7009 revocation of a refresh token. */
  revocationEndpoint: string;
  /** Cognito's logout: `?client_id=…&logout_uri=…` (not OIDC's end_session parameters). */
  logoutEndpoint: string;
  jwksUri: string;
};

/** The scopes both clients ask for; the ID token's `cognito:groups` and `custom:country` need none. */
export const SIGN_IN_SCOPES = ['openid', 'email', 'profile'] as const;

/**
 * The sign-in endpoints described by a `/config.json`, or null when it describes none (the local
 * stack, whose tokens come from its role buttons, or a config that is not an object).
 */
export function signInEndpoints(config: unknown): SignInEndpoints | null {
  if (typeof config !== 'object' || config === null) return null;
  const { userPoolClientId, signInDomainUrl, issuer } = config as Partial<Record<string, unknown>>;
  if (
    typeof userPoolClientId !== 'string' ||
    typeof signInDomainUrl !== 'string' ||
    typeof issuer !== 'string'
  )
    return null;
  if (userPoolClientId === '' || signInDomainUrl === '' || issuer === '') return null;
  const domain = signInDomainUrl.replace(/\/+$/, '');
  return {
    clientId: userPoolClientId,
    issuer: issuer.replace(/\/+$/, ''),
    authorizationEndpoint: `${domain}/oauth2/authorize`,
    tokenEndpoint: `${domain}/oauth2/token`,
    revocationEndpoint: `${domain}/oauth2/revoke`,
    logoutEndpoint: `${domain}/logout`,
    jwksUri: `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`,
  };
}

/** Cognito's logout URL: ends the managed-login session, then returns the browser to `returnTo`. */
export function logoutUrl(endpoints: SignInEndpoints, returnTo: string): string {
  const url = new URL(endpoints.logoutEndpoint);
  url.searchParams.set('client_id', endpoints.clientId);
  url.searchParams.set('logout_uri', returnTo);
  return url.toString();
}
