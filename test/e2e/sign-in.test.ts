import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildWeb } from '../../web/build.ts';
import { type OidcProvider, startOidcProvider, type TestUser } from '../support/oidc-provider.ts';
import { launchChromium, watchForPageErrors } from './support/browser.ts';
import { type MockApi, startMockApi } from './support/mock-api.ts';
import { WAIT_MS, waitForText } from './support/page-helpers.ts';

const CLIENT_ID = 'dashboard-test-client';

/**
 * The dashboard as deployed: `/config.json` names a sign-in domain, here a real OIDC-shaped
 * provider over HTTP (test/support/oidc-provider.ts) that signs the user in at once and answers the
 * code and refresh grants. The API is the mock, which reads the role from the token's claims.
 */
describe('signing in to the deployed dashboard', () => {
  let webRoot: string;
  let mock: MockApi;
  let provider: OidcProvider;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  const redirectUris: string[] = [];

  beforeAll(async () => {
    webRoot = await mkdtemp(join(tmpdir(), 'optally-sign-in-'));
    await buildWeb(webRoot);
    mock = await startMockApi({ webRoot, localTokens: false });
    redirectUris.push(`${mock.url}/`);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await mock?.stop();
    await rm(webRoot, { recursive: true, force: true });
  });

  async function serveProvider(expiresIn = 3600, refuseSignIn = false): Promise<void> {
    provider = await startOidcProvider({
      refuseSignIn,
      clientId: CLIENT_ID,
      redirectUris,
      user: { sub: 'u-coord', email: 'coordinator@example.org', groups: ['coordinator'] },
      idToken: async (user) => idToken(user, expiresIn),
      expiresIn,
      rotateRefreshTokens: true,
    });
    await writeFile(
      join(webRoot, 'config.json'),
      JSON.stringify({
        region: 'test-region-1',
        userPoolClientId: CLIENT_ID,
        signInDomainUrl: provider.url,
        issuer: provider.url,
        apiBaseUrl: '',
      }),
    );
  }

  beforeEach(async () => {
    page = await browser.newPage();
    pageErrors = watchForPageErrors(page);
  });
  afterEach(async () => {
    await page.close();
    await provider?.close();
  });

  it('offers the sign-in page instead of role buttons, and comes back signed in to the same view', async () => {
    await serveProvider();
    await page.goto(`${mock.url}/?op=liberterra-iii`);
    const door = page.getByRole('button', { name: 'Sign in with your optally account' });
    await door.waitFor({ timeout: WAIT_MS });
    expect(await page.locator('#local-roles').isHidden()).toBe(true);

    await door.click();

    await waitForText(page, '#who', 'Signed in: coordinator');
    expect(page.url()).toBe(`${mock.url}/?op=liberterra-iii`);
    expect(provider.tokenRequests).toEqual(['authorization_code ok']);
    expect(await page.evaluate(() => sessionStorage.getItem('optally.token'))).toBe(provider.idTokens[0]);
    expect(pageErrors).toEqual([]);
  });

  it('says why when the sign-in page refuses, and does not present the refusal again on reload', async () => {
    await serveProvider(3600, true);
    await page.goto(`${mock.url}/?op=liberterra-iii`);

    await page.getByRole('button', { name: 'Sign in with your optally account' }).click();

    await waitForText(page, '#token-error', 'Sign-in failed: access_denied');
    expect(page.url()).toBe(`${mock.url}/?op=liberterra-iii`);
    expect(provider.tokenRequests).toEqual([]);
    await page.reload();
    await page
      .getByRole('button', { name: 'Sign in with your optally account' })
      .waitFor({ timeout: WAIT_MS });
    expect(await page.locator('#token-error').isHidden()).toBe(true);
  });

  it('stays signed in on reload, without signing in again', async () => {
    await serveProvider();
    await page.goto(mock.url);
    await page.getByRole('button', { name: 'Sign in with your optally account' }).click();
    await waitForText(page, '#who', 'Signed in: coordinator');

    await page.reload();

    await waitForText(page, '#who', 'Signed in: coordinator');
    expect(provider.tokenRequests).toEqual(['authorization_code ok']);
  });

  it('renews the ID token with the refresh token before it expires, each time with the rotated one', async () => {
    // Renewal starts a minute before expiry: 62 s makes it due two seconds after signing in.
    await serveProvider(62);
    await page.goto(mock.url);
    await page.getByRole('button', { name: 'Sign in with your optally account' }).click();
    await waitForText(page, '#who', 'Signed in: coordinator');

    // Each renewed token is due for renewal two seconds later: a second refresh that succeeds proves
    // the page used the refresh token the first one answered (the provider revokes each one used).
    await expect.poll(() => provider.tokenRequests.length, { timeout: WAIT_MS }).toBeGreaterThanOrEqual(3);

    expect(provider.tokenRequests.slice(0, 3)).toEqual([
      'authorization_code ok',
      'refresh_token ok',
      'refresh_token ok',
    ]);
    expect(provider.idTokens).toContain(await page.evaluate(() => sessionStorage.getItem('optally.token')));
    expect(await page.locator('#who').textContent()).toBe('Signed in: coordinator');
  });

  it("signs out: revokes the refresh token, ends the provider's session and shows the sign-in again", async () => {
    await serveProvider();
    await page.goto(mock.url);
    await page.getByRole('button', { name: 'Sign in with your optally account' }).click();
    await waitForText(page, '#who', 'Signed in: coordinator');

    await page.getByRole('button', { name: 'Sign out' }).click();

    await page
      .getByRole('button', { name: 'Sign in with your optally account' })
      .waitFor({ timeout: WAIT_MS });
    expect(page.url()).toBe(`${mock.url}/`);
    expect(provider.revoked).toEqual(provider.refreshTokens);
    expect(provider.revoked.size).toBe(1);
    expect(await page.evaluate(() => sessionStorage.getItem('optally.token'))).toBeNull();
  });
});

/** A Cognito-shaped ID token (unsigned: the mock API only reads claims), with the mock's `role` too. */
function idToken(user: TestUser, expiresIn: number): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({
    sub: user.sub,
    email: user.email,
    'cognito:groups': user.groups,
    role: user.groups[0],
    token_use: 'id',
    aud: CLIENT_ID,
    iat: now,
    exp: now + expiresIn,
    jti: randomBytes(8).toString('hex'),
  })}.`;
}
