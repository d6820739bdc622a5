import { describe, expect, it } from 'vitest';
import { logoutUrl, signInEndpoints } from '../../shared/domain/sign-in.ts';
import { isSignInAnswer, loadSignInEndpoints, oidcSettings } from '../../web/src/oidc.ts';

const CONFIG = {
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_abc',
  userPoolClientId: 'client-1',
  signInDomainUrl: 'https://optally-123.auth.eu-west-1.amazoncognito.com',
  issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
  apiBaseUrl: '',
};

/** A Storage kept in memory (the settings only hold on to it). */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

describe('signInEndpoints', () => {
  it("derives Cognito's authorize, token, revoke and logout endpoints from the sign-in domain", () => {
    expect(signInEndpoints(CONFIG)).toEqual({
      clientId: 'client-1',
      issuer: CONFIG.issuer,
      authorizationEndpoint: `${CONFIG.signInDomainUrl}/oauth2/authorize`,
      tokenEndpoint: `${CONFIG.signInDomainUrl}/oauth2/token`,
      revocationEndpoint: `${CONFIG.signInDomainUrl}/oauth2/revoke`,
      logoutEndpoint: `${CONFIG.signInDomainUrl}/logout`,
      jwksUri: `${CONFIG.issuer}/.well-known/jwks.json`,
    });
  });

  it('finds no sign-in in a config without a domain (the local stack) or in something else', () => {
    expect(signInEndpoints({ ...CONFIG, signInDomainUrl: undefined })).toBeNull();
    expect(signInEndpoints({ ...CONFIG, signInDomainUrl: '' })).toBeNull();
    expect(signInEndpoints(null)).toBeNull();
    expect(signInEndpoints('config')).toBeNull();
  });
});

describe('logoutUrl', () => {
  it("uses Cognito's client_id and logout_uri parameters", () => {
    const url = new URL(logoutUrl(signInEndpoints(CONFIG)!, 'https://d1.cloudfront.net/'));

    expect(`${url.origin}${url.pathname}`).toBe(`${CONFIG.signInDomainUrl}/logout`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'client-1',
      logout_uri: 'https://d1.cloudfront.net/',
    });
  });
});

describe('oidcSettings', () => {
  const settings = oidcSettings(signInEndpoints(CONFIG)!, 'https://d1.cloudfront.net', memoryStorage());

  it('runs the authorization-code flow back to the origin the app client registers', () => {
    expect(settings).toMatchObject({
      client_id: 'client-1',
      response_type: 'code',
      scope: 'openid email profile',
      redirect_uri: 'https://d1.cloudfront.net/',
      post_logout_redirect_uri: 'https://d1.cloudfront.net/',
    });
    expect(settings.disablePKCE).toBeUndefined();
  });

  it('gives the endpoints outright, so signing in needs no discovery request', () => {
    expect(settings.metadata).toMatchObject({
      issuer: CONFIG.issuer,
      authorization_endpoint: `${CONFIG.signInDomainUrl}/oauth2/authorize`,
      token_endpoint: `${CONFIG.signInDomainUrl}/oauth2/token`,
      revocation_endpoint: `${CONFIG.signInDomainUrl}/oauth2/revoke`,
    });
  });

  it('renews the tokens with the refresh token, and revokes it on sign-out', () => {
    expect(settings.automaticSilentRenew).toBe(true);
    expect(settings.revokeTokenTypes).toEqual(['refresh_token']);
  });
});

describe('isSignInAnswer', () => {
  it('recognises a code or an error with a state, and nothing else', () => {
    expect(isSignInAnswer('https://d1.cloudfront.net/?code=abc&state=s1')).toBe(true);
    expect(isSignInAnswer('https://d1.cloudfront.net/?error=access_denied&state=s1')).toBe(true);
    expect(isSignInAnswer('https://d1.cloudfront.net/?op=liberterra-iii')).toBe(false);
    expect(isSignInAnswer('https://d1.cloudfront.net/?code=abc')).toBe(false);
  });
});

describe('loadSignInEndpoints', () => {
  it('reads the sign-in from /config.json', async () => {
    const asked: string[] = [];
    const endpoints = await loadSignInEndpoints(async (url) => {
      asked.push(url);
      return new Response(JSON.stringify(CONFIG));
    });

    expect(asked).toEqual(['/config.json']);
    expect(endpoints?.clientId).toBe('client-1');
  });

  it('finds none when /config.json is missing, as on the local stack', async () => {
    expect(await loadSignInEndpoints(async () => new Response('Not found', { status: 404 }))).toBeNull();
  });
});
