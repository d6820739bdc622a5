import { describe, expect, it } from 'vitest';
import { loadLocale, renderMessage } from '../../shared/i18n/render.ts';
import { readToken, tokenStore } from '../../web/src/session.ts';

/** A token with these claims (the signature is not read by the page). */
function aToken(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

describe('readToken', () => {
  it('reads the role and country the local issuer writes, and the expiry', () => {
    const reading = readToken(aToken({ sub: 'ke', role: 'agency', country: 'KE', exp: 1_800_000_000 }));

    expect(reading).toEqual({
      ok: true,
      principal: { subject: 'ke', role: 'agency', country: 'KE' },
      expiresAt: 1_800_000_000_000,
    });
  });

  it('reads Cognito groups and the custom country claim', () => {
    const reading = readToken(aToken({ sub: 'u1', 'cognito:groups': ['coordinator'] }));

    expect(reading).toMatchObject({
      ok: true,
      principal: { role: 'coordinator', country: null },
      expiresAt: null,
    });
  });

  it('reads non-ASCII claims', () => {
    const reading = readToken(aToken({ sub: 'Côte d’Ivoire desk', role: 'auditor' }));

    expect(reading).toMatchObject({ ok: true, principal: { subject: 'Côte d’Ivoire desk' } });
  });

  it('refuses text that is not a JWT, saying so', () => {
    expect(readToken('hello')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not a JSON Web Token/),
    });
    expect(readToken('a.%%%.c')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not readable JSON/),
    });
  });

  it('says why in every language of the page', async () => {
    await loadLocale('fr');
    const reading = readToken('hello');
    if (reading.ok) throw new Error('read');

    expect(reading.text.key).toBe('web.sign-in.not-jwt');
    expect(renderMessage(reading.text.key, reading.text.params, 'fr')).toMatch(/jeton JWT/);
  });

  it('refuses an agency token without a country, as the API would', () => {
    expect(readToken(aToken({ role: 'agency' }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/country/),
    });
  });

  it('ignores spaces around a pasted token', () => {
    expect(readToken(`  ${aToken({ role: 'admin' })}\n`).ok).toBe(true);
  });
});

describe('tokenStore', () => {
  it('keeps, returns and forgets one trimmed token', () => {
    const data = new Map<string, string>();
    const storage = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
    } as Storage;
    const store = tokenStore(storage);

    store.save(' abc \n');
    expect(store.load()).toBe('abc');
    store.clear();
    expect(store.load()).toBeNull();
  });
});
