import { type Principal, principalFromClaims } from '../../shared/domain/policy.ts';
import { type CatalogueText, english, msg } from '../../shared/i18n/text.ts';

/**
 * Who the pasted token says the user is, to choose the view. The signature is not checked here:
 * the API checks it on every request, and a forged token only gets a page the API then refuses.
 */
export type TokenReading =
  | { ok: true; principal: Principal; expiresAt: number | null }
  | { ok: false; text: CatalogueText; reason: string };

/** Reads a JWT's claims and role the way the API does (`role`/`country`, or Cognito groups). */
export function readToken(token: string): TokenReading {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts[1]) {
    return refused(msg('web.sign-in.not-jwt'));
  }
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(decodeBase64Url(parts[1])) as Record<string, unknown>;
  } catch {
    return refused(msg('web.sign-in.not-json'));
  }
  const principal = principalFromClaims(claims);
  if (!principal.ok) return { ok: false, text: principal.error.text, reason: principal.error.reason };
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  return { ok: true, principal: principal.value, expiresAt: exp };
}

/** A token that cannot be read: what to change, in the page's language and in English. */
function refused(text: CatalogueText): TokenReading {
  return { ok: false, text, reason: english(text) };
}

function decodeBase64Url(text: string): string {
  const base64 = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Where the token is kept: this tab only, gone when the tab closes. */
export type TokenStore = { load(): string | null; save(token: string): void; clear(): void };

const KEY = 'optally.token';

/** The token store in `sessionStorage` (or any Storage). */
export function tokenStore(storage: Storage): TokenStore {
  return {
    load: () => storage.getItem(KEY),
    save: (token) => storage.setItem(KEY, token.trim()),
    clear: () => storage.removeItem(KEY),
  };
}
