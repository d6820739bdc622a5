import { type User, UserManager, type UserManagerSettings, WebStorageStateStore } from 'oidc-client-ts';
import {
  logoutUrl,
  SIGN_IN_SCOPES,
  type SignInEndpoints,
  signInEndpoints,
} from '../../shared/domain/sign-in.ts';

/**
 * Sign-in through the identity provider (Cognito's managed login on AWS) with oidc-client-ts: the
 * authorization-code flow with PKCE, the session kept in this tab's sessionStorage, the ID token
 * renewed with the refresh token before it expires, and sign-out revoking the refresh token and
 * ending the provider's session. The ID token is the API's bearer: it carries `cognito:groups` and
 * `custom:country`, which the access token does not.
 */

/** The sign-in endpoints `/config.json` of this origin describes; null when none (the local stack). */
export async function loadSignInEndpoints(
  fetchConfig: (url: string) => Promise<Response> = (url) => fetch(url, { cache: 'no-cache' }),
): Promise<SignInEndpoints | null> {
  try {
    const response = await fetchConfig('/config.json');
    if (!response.ok) return null;
    return signInEndpoints(await response.json());
  } catch {
    return null;
  }
}

/**
 * The oidc-client-ts settings for the dashboard at `origin`: endpoints given outright (no discovery
 * request), the origin's root as the redirect and logout URI (the app client's registered ones), and
 * renewal with the refresh token a minute before the ID token expires.
 */
export function oidcSettings(
  endpoints: SignInEndpoints,
  origin: string,
  store: Storage,
): UserManagerSettings {
  const home = `${origin}/`;
  return {
    authority: endpoints.issuer,
    metadata: {
      issuer: endpoints.issuer,
      authorization_endpoint: endpoints.authorizationEndpoint,
      token_endpoint: endpoints.tokenEndpoint,
      revocation_endpoint: endpoints.revocationEndpoint,
      end_session_endpoint: endpoints.logoutEndpoint,
      jwks_uri: endpoints.jwksUri,
    },
    client_id: endpoints.clientId,
    redirect_uri: home,
    post_logout_redirect_uri: home,
    response_type: 'code',
    scope: SIGN_IN_SCOPES.join(' '),
    // Everything the page needs is in the ID token: no userinfo request.
    loadUserInfo: false,
    userStore: new WebStorageStateStore({ store }),
    stateStore: new WebStorageStateStore({ store }),
    // Renewal uses the refresh token (no hidden iframe: Cognito's pages refuse to be framed).
    automaticSilentRenew: true,
    accessTokenExpiringNotificationTimeInSeconds: 60,
    revokeTokenTypes: ['refresh_token'],
  };
}

/** Whether a page address is the provider's answer to a sign-in (a code or an error, and a state). */
export function isSignInAnswer(href: string): boolean {
  const params = new URL(href).searchParams;
  return params.has('state') && (params.has('code') || params.has('error'));
}

/** The signed-in session as the page uses it. */
export type HostedSession = {
  /** Sends the browser to the sign-in page; it comes back to this page (query string kept). */
  signIn(): Promise<void>;
  /**
   * The current ID token: after completing a sign-in answer in the address (which is then removed
   * from it), from this tab's session, or renewed with the refresh token; null when signed out.
   */
  restore(): Promise<string | null>;
  /** Calls `listener` with each renewed ID token. */
  onRenewed(listener: (idToken: string) => void): void;
  /** Called when the session cannot be renewed any more (refresh token expired or revoked). */
  onEnded(listener: () => void): void;
  /** The newest ID token of this session, or null. */
  current(): string | null;
  /** Revokes the refresh token, forgets the session and ends the provider's session (a redirect). */
  signOut(): Promise<void>;
  /**
   * `fetch` for the API client: a request carrying an ID token this session issued goes with the
   * session's newest one instead, so a page polling for hours follows each renewal.
   */
  fetch(input: string, init?: RequestInit): Promise<Response>;
};

/** The hosted sign-in for this page, given its endpoints. */
export function hostedSession(endpoints: SignInEndpoints, win: Window = window): HostedSession {
  const manager = new UserManager(oidcSettings(endpoints, win.location.origin, win.sessionStorage));
  let user: User | null = null;
  // Revoking stores the user again (without its refresh token), which announces it as loaded.
  let signingOut = false;
  const issued = new Set<string>();
  const remember = (next: User | null) => {
    user = next && !next.expired && next.id_token ? next : null;
    if (user?.id_token) issued.add(user.id_token);
    return user?.id_token ?? null;
  };
  const current = () => (user && !user.expired ? (user.id_token ?? null) : null);
  manager.events.addUserLoaded((loaded) => {
    remember(loaded);
  });
  return {
    async signIn() {
      // The address's query and route (`?op=…#/countries/FR`) come back with the answer.
      await manager.signinRedirect({ state: `${win.location.search}${win.location.hash}` });
    },
    async restore() {
      if (isSignInAnswer(win.location.href)) {
        let search = '';
        try {
          const answered = await manager.signinRedirectCallback(win.location.href);
          search = typeof answered.state === 'string' ? answered.state : '';
          return remember(answered);
        } catch (e) {
          // A refusal (ErrorResponse) still carries the state the sign-in left with.
          const state = (e as { state?: unknown }).state;
          if (typeof state === 'string') search = state;
          throw e;
        } finally {
          // Used or refused, the answer is spent: a reload must not present it again.
          win.history.replaceState(null, '', `${win.location.pathname}${search}`);
        }
      }
      const stored = await manager.getUser();
      if (!stored) return null;
      if (!stored.expired) return remember(stored);
      if (!stored.refresh_token) return null;
      try {
        return remember(await manager.signinSilent());
      } catch {
        await manager.removeUser();
        return null;
      }
    },
    onRenewed(listener) {
      manager.events.addUserLoaded((loaded) => {
        if (loaded.id_token && !signingOut) listener(loaded.id_token);
      });
    },
    onEnded(listener) {
      manager.events.addSilentRenewError(() => listener());
    },
    current,
    fetch(input, init = {}) {
      const headers = new Headers(init.headers);
      const sent = /^Bearer (.+)$/.exec(headers.get('Authorization') ?? '')?.[1];
      const newest = current();
      if (sent && newest && sent !== newest && issued.has(sent))
        headers.set('Authorization', `Bearer ${newest}`);
      return win.fetch(input, { ...init, headers });
    },
    async signOut() {
      // The provider's own session would sign the next person straight back in: end it too.
      signingOut = true;
      await manager.revokeTokens(['refresh_token']).catch(() => undefined);
      await manager.removeUser();
      user = null;
      win.location.assign(logoutUrl(endpoints, `${win.location.origin}/`));
    },
  };
}
