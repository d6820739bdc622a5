import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildWeb } from '../../web/build.ts';
import type { LedgerEntry, SubmissionStatus } from '../../web/src/api-types.ts';
import { formatBytes } from '../../web/src/format.ts';
import { liberterraIII } from '../support/builders.ts';
import { launchChromium, watchForPageErrors } from './support/browser.ts';
import { type MockApi, startMockApi } from './support/mock-api.ts';
import { headline, textOf, WAIT_MS, waitForText } from './support/page-helpers.ts';

const OP = 'liberterra-iii';

/** A ledger entry as the API lists it. */
function anEntry(id: string, country: string, status: SubmissionStatus, extra: Partial<LedgerEntry> = {}) {
  return {
    id,
    country,
    key: `incoming/${OP}/${country}/u-${id}/${id.toLowerCase()}.csv`,
    uploadId: `u-${id}`,
    size: 240,
    sha256: id
      .replace(/[^0-9a-f]/gi, '')
      .padEnd(64, 'e')
      .slice(0, 64)
      .toLowerCase(),
    receivedAt: '2025-11-12T10:00:00.000Z',
    processedAt: status === 'processing' ? null : '2025-11-12T10:00:02.000Z',
    status,
    errors: status === 'rejected' ? 3 : 0,
    warnings: 0,
    failure: null,
    supersededBy: null,
    ...extra,
  } satisfies LedgerEntry;
}

/**
 * Sixty entries in the API's order (by country): three files each for twenty countries, among
 * them Brazil's first file superseded by its second, a rejected and a failed Kenyan file.
 */
function aLongLedger(): LedgerEntry[] {
  const codes = ['BR', 'KE', ...liberterraIII().participants.map((p) => p.code)]
    .filter((c, i, all) => all.indexOf(c) === i)
    .slice(0, 20)
    .sort();
  return codes.flatMap((cc) => {
    if (cc === 'BR') {
      return [
        anEntry('BR-1', cc, 'superseded', { supersededBy: 'BR-2' }),
        anEntry('BR-2', cc, 'accepted'),
        anEntry('BR-3', cc, 'processing'),
      ];
    }
    if (cc === 'KE') {
      return [
        anEntry('KE-1', cc, 'accepted'),
        anEntry('KE-2', cc, 'rejected'),
        anEntry('KE-3', cc, 'failed', { failure: 'the spreadsheet could not be opened' }),
      ];
    }
    return [1, 2, 3].map((n) => anEntry(`${cc}-${n}`, cc, 'accepted'));
  });
}

/**
 * What the real stack cannot be made to do on demand — answer with an old rollup, switch the
 * status without uploads, hold a long ledger, run without `/local/tokens` — checked against a
 * stand-in API serving the same build.
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

  async function signInAs(role: 'Coordinator' | 'Auditor' | 'Admin'): Promise<void> {
    await page.goto(mock.url);
    await page.getByRole('button', { name: role, exact: true }).click();
    await page.waitForSelector('#headline .card', { timeout: WAIT_MS });
  }

  it('announces a new status and shows a coordinator the final figures only once final', async () => {
    mock.report('KE', { arrests: 7 });
    mock.report('BR', { arrests: 3 });
    await signInAsCoordinator();
    await waitForText(page, '#op-status', 'Open');
    expect(await page.isHidden('#final-section')).toBe(true);

    mock.setStatus('closed');
    await waitForText(page, '#op-status', 'Closed');
    // Closed is for auditors: the coordinator's request gets a 403 and the section stays hidden.
    await expect
      .poll(() => mock.auditRequests.filter((r) => r.path.endsWith('/final')).length, { timeout: WAIT_MS })
      .toBeGreaterThanOrEqual(1);
    expect(await page.isHidden('#final-section')).toBe(true);

    mock.setStatus('final');
    await waitForText(page, '#op-status', 'Final');
    await page.waitForSelector('#final-section', { state: 'visible', timeout: WAIT_MS });
    expect(await textOf(page, '#announcer')).toBe('The operation is now final.');
    expect(await textOf(page, '#final-digest')).toBe(mock.manifest().digest);
    expect(await textOf(page, '#final-status')).toBe('Final');
    expect(await page.getAttribute('#final-status', 'data-status')).toBe('final');
    expect(await textOf(page, '#final-validator')).toBe('mock-validator-1');
    expect(await textOf(page, '#final-definition')).toBe(mock.manifest().manifest.definitionSha256);
    expect(await textOf(page, '#final-name-csv')).toBe(`${OP}-final.csv`);
    // Coordinators chase rejected and failed uploads: their page shows the ledger too.
    await page.waitForSelector('#ledger-section', { state: 'visible', timeout: WAIT_MS });
    expect(mock.auditRequests.filter((r) => r.path.endsWith('/ledger')).length).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });

  it('shows an auditor the closed figures: digest, provenance and the three downloads', async () => {
    mock.report('KE', { arrests: 7 });
    mock.report('BR', { arrests: 3 });
    mock.setStatus('closed');
    await signInAs('Auditor');
    await page.waitForSelector('#final-section', { state: 'visible', timeout: WAIT_MS });
    const { manifest, digest } = mock.manifest();

    expect(await textOf(page, '#final-digest')).toBe(digest);
    expect(await textOf(page, '#final-status')).toBe('Closed');
    expect(await textOf(page, '#final-coverage')).toBe('2 of 119 countries');
    const provenance = await page.$$eval('#provenance-body tr', (rows) =>
      rows.map((r) => {
        const cells = Array.from((r as HTMLTableRowElement).cells);
        return {
          country: cells[0]?.textContent,
          file: cells[1]?.textContent,
          shown: cells[2]?.querySelector('[aria-hidden="true"]')?.textContent,
          title: cells[2]?.querySelector('code')?.getAttribute('title'),
          spoken: cells[2]?.querySelector('.sr-only')?.textContent,
        };
      }),
    );
    const sha = (cc: string) => manifest.provenance.find((p) => p.country === cc)?.sha256 ?? '';
    expect(provenance).toEqual([
      {
        country: 'Brazil BR',
        file: 'br-return.csv',
        shown: `${sha('BR').slice(0, 12)}…`,
        title: sha('BR'),
        spoken: sha('BR'),
      },
      {
        country: 'Kenya KE',
        file: 'ke-return.csv',
        shown: `${sha('KE').slice(0, 12)}…`,
        title: sha('KE'),
        spoken: sha('KE'),
      },
    ]);

    const downloaded: Record<string, { name: string; text: string }> = {};
    for (const label of ['JSON', 'CSV', 'SDMX-CSV']) {
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: WAIT_MS }),
        page.getByRole('button', { name: `Download ${label}`, exact: true }).click(),
      ]);
      downloaded[label] = {
        name: download.suggestedFilename(),
        text: await readFile((await download.path())!, 'utf8'),
      };
    }
    expect(downloaded.JSON?.name).toBe(`${OP}-closed.json`);
    expect(downloaded.CSV?.name).toBe(`${OP}-closed.csv`);
    expect(downloaded['SDMX-CSV']?.name).toBe(`${OP}-closed.sdmx.csv`);
    expect(JSON.parse(downloaded.JSON?.text ?? '{}').manifestSha256).toBe(digest);
    const csv = parse(downloaded.CSV?.text ?? '', { columns: true }) as Record<string, string>[];
    expect(new Set(csv.map((r) => r.manifest_sha256))).toEqual(new Set([digest]));
    const sdmx = parse(downloaded['SDMX-CSV']?.text ?? '', { columns: true }) as Record<string, string>[];
    expect(new Set(sdmx.map((r) => r.MANIFEST_SHA256))).toEqual(new Set([digest]));
    await waitForText(
      page,
      '#download-status',
      `Downloaded ${OP}-closed.sdmx.csv (${formatBytes(Buffer.byteLength(downloaded['SDMX-CSV']?.text ?? ''))}).`,
    );

    const finals = mock.auditRequests.filter((r) => r.path.endsWith('/final'));
    expect(finals.map((r) => r.search).sort()).toEqual(
      ['?format=csv', '?format=json', '?format=json', '?format=sdmx-csv'].sort(),
    );
    expect(finals.every((r) => r.authorization === `Bearer ${mock.tokens.auditor}`)).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('copies the manifest digest', async () => {
    mock.report('KE', { arrests: 7 });
    mock.setStatus('final');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: mock.url });
    await signInAs('Auditor');
    await page.waitForSelector('#final-section', { state: 'visible', timeout: WAIT_MS });

    await page.getByRole('button', { name: 'Copy the manifest digest' }).click();

    await waitForText(page, '#announcer', 'Manifest digest copied.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(mock.manifest().digest);
  });

  it('pages through the ledger with Load more and filters it by verdict and country', async () => {
    mock.addLedgerEntries(aLongLedger());
    await signInAs('Admin');
    await page.waitForSelector('#ledger-section', { state: 'visible', timeout: WAIT_MS });
    // Open operations have no final figures (409), but the ledger is there from the start.
    expect(await page.isHidden('#final-section')).toBe(true);

    const rows = () => page.locator('#ledger-body tr');
    expect(await rows().count()).toBe(50);
    expect(await textOf(page, '#ledger-count')).toBe('Showing the first 50 entries; there are more.');
    const more = page.getByRole('button', { name: 'Load more' });
    await more.focus();
    await page.keyboard.press('Enter');
    await waitForText(page, '#ledger-count', 'Showing all 60 entries.');
    expect(await rows().count()).toBe(60);
    expect(await more.isHidden()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('ledger-count');

    const verdict = (id: string) => ({
      pill: textOf(page, `#ledger-body tr[data-key="${id}"] .pill`),
      status: page.getAttribute(`#ledger-body tr[data-key="${id}"] .pill`, 'data-status'),
      note: textOf(page, `#ledger-body tr[data-key="${id}"] td.note`),
    });
    const show = async (id: string) => {
      const v = verdict(id);
      return [await v.pill, await v.status, await v.note];
    };
    expect(await show('KE-2')).toEqual(['Rejected', 'rejected', 'Not counted: 3 errors']);
    expect(await show('KE-3')).toEqual([
      'Failed',
      'failed',
      'Not counted: processing failed (the spreadsheet could not be opened)',
    ]);
    expect(await show('BR-1')).toEqual(['Superseded', 'superseded', 'Not counted: replaced by br-2.csv']);
    expect(await show('BR-3')).toEqual(['Processing', 'processing', 'Being checked']);
    expect(await show('KE-1')).toEqual(['Accepted', 'accepted', 'Counts in the figures']);

    await page.selectOption('#ledger-verdict', 'rejected');
    await waitForText(page, '#ledger-count', 'Showing all 1 entry.');
    expect(await page.$$eval('#ledger-body tr', (r) => r.map((x) => (x as HTMLElement).dataset.key))).toEqual(
      ['KE-2'],
    );
    const ledgerSearches = mock.auditRequests.filter((r) => r.path.endsWith('/ledger')).map((r) => r.search);
    expect(ledgerSearches.slice(-2)).toEqual([
      '?verdict=rejected&limit=50',
      '?verdict=rejected&limit=50&cursor=50',
    ]);

    await page.selectOption('#ledger-verdict', '');
    await page.selectOption('#ledger-country', 'KE');
    await waitForText(page, '#ledger-count', 'Showing all 3 entries.');
    expect(await page.$$eval('#ledger-body tr', (r) => r.map((x) => (x as HTMLElement).dataset.key))).toEqual(
      ['KE-1', 'KE-2', 'KE-3'],
    );

    await page.selectOption('#ledger-verdict', 'superseded');
    await waitForText(page, '#ledger-count', 'No entry matches this filter.');
    expect(await page.isHidden('#ledger-wrap')).toBe(true);
    expect(pageErrors).toEqual([]);
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
