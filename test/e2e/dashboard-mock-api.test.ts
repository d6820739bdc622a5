import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildWeb } from '../../web/build.ts';
import { launchChromium, watchForPageErrors } from './support/browser.ts';
import { type MockApi, startMockApi } from './support/mock-api.ts';
import { headline, textOf, WAIT_MS, waitForText } from './support/page-helpers.ts';

/**
 * What the real stack cannot be made to do on demand — answer with an old rollup, serve final
 * figures, run without `/local/tokens` — checked against a stand-in API serving the same build.
 */
describe('the dashboard against a scripted API', () => {
  let webRoot: string;
  let browser: Browser;
  let mock: MockApi;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    webRoot = await mkdtemp(join(tmpdir(), 'optally-web-'));
    await buildWeb(webRoot);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (webRoot) await rm(webRoot, { recursive: true, force: true });
  });

  beforeEach(async () => {
    mock = await startMockApi({ webRoot });
    page = await browser.newPage();
    pageErrors = watchForPageErrors(page);
  });

  afterEach(async () => {
    await page?.close();
    await mock?.stop();
  });

  async function signInAsCoordinator(): Promise<void> {
    await page.goto(mock.url);
    await page.getByRole('button', { name: 'Coordinator', exact: true }).click();
    await page.waitForSelector('#headline .card', { timeout: WAIT_MS });
  }

  /** Resolves after the page has asked for the rollup `count` more times. */
  async function waitForPolls(count: number): Promise<void> {
    const target = mock.rollupRequests + count;
    await expect
      .poll(() => mock.rollupRequests, { timeout: WAIT_MS, interval: 100 })
      .toBeGreaterThanOrEqual(target);
  }

  it('never shows a figure going backwards when an older rollup arrives', async () => {
    mock.report('BR', { arrests: 100 });
    const older = mock.current();
    mock.report('BR', { arrests: 150 });
    await signInAsCoordinator();
    await waitForText(page, headline('arrests'), '150');
    await page.evaluate((selector) => {
      const node = document.querySelector(selector)!;
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => seen.push(node.textContent ?? '')).observe(node, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    }, headline('arrests'));

    mock.answerNextWith(older, 2);
    // Polls never overlap: once a third request arrives, both old answers have been handled.
    await waitForPolls(3);

    expect(await page.evaluate(() => (window as unknown as { seen: string[] }).seen)).toEqual([]);
    expect(await textOf(page, headline('arrests'))).toBe('150');
    expect(await textOf(page, '#country-body tr[data-key="BR"] td[data-metric="arrests"]')).toBe('150');
    expect(pageErrors).toEqual([]);
  });

  it('announces a new status and shows the final-figures placeholder once final figures answer', async () => {
    mock.report('KE', { arrests: 7 });
    await signInAsCoordinator();
    await waitForText(page, '#op-status', 'Open');
    expect(await page.isHidden('#final-section')).toBe(true);

    mock.finalAvailable = true;
    mock.setStatus('final');

    await waitForText(page, '#op-status', 'Final');
    await page.waitForSelector('#final-section', { state: 'visible', timeout: WAIT_MS });
    expect(await textOf(page, '#final-section .placeholder')).toMatch(/^Placeholder\./);
    expect(await textOf(page, '#announcer')).toBe('The operation is now final.');
  });

  it('offers only the token field when the API has no local tokens (deployed mode)', async () => {
    await mock.stop();
    mock = await startMockApi({ webRoot, localTokens: false });
    await page.goto(mock.url);
    await page.waitForSelector('#token-input', { state: 'visible', timeout: WAIT_MS });
    expect(await page.isHidden('#local-roles')).toBe(true);

    await page.fill('#token-input', mock.tokens.auditor);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await waitForText(page, '#who', 'Signed in: auditor');
    await page.waitForSelector('#headline .card', { timeout: WAIT_MS });
  });

  it('explains why a pasted token cannot be used', async () => {
    await page.goto(mock.url);
    await page.fill('#token-input', 'not-a-token');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await page.waitForSelector('#token-error', { state: 'visible', timeout: WAIT_MS });
    expect(await textOf(page, '#token-error')).toMatch(/not a JSON Web Token/);
    expect(await page.isHidden('#dashboard')).toBe(true);
  });

  it('keeps the token for the tab: a reload signs straight back in', async () => {
    await signInAsCoordinator();
    await page.reload();
    await page.waitForSelector('#headline .card', { timeout: WAIT_MS });
    expect(await page.isHidden('#sign-in')).toBe(true);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForSelector('#sign-in', { state: 'visible', timeout: WAIT_MS });
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });
});
