import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import { aReturn } from '../support/builders.ts';
import { watchForPageErrors } from './support/browser.ts';
import { textOf, WAIT_MS, waitForText } from './support/page-helpers.ts';
import { openSession, type Session } from './support/session.ts';

const OP = 'liberterra-iii';
const RESULTS = 'test-results';

async function upload(stack: LocalStack, country: string, name: string, csv: string): Promise<void> {
  await stack.putReturn(`incoming/${OP}/${country}/${name}`, csv);
}

/** The pages of a PDF: its page objects (`/Type /Page`, not the `/Type /Pages` tree nodes). */
function pageCount(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
}

/**
 * Prints the page as Chromium does to PDF (A4, the sheet's own page size), saves it with a picture
 * of the sheet as printed (`.png`, to look at without a PDF reader), and counts its pages.
 */
async function printToPdf(page: Page, name: string): Promise<number> {
  await mkdir(RESULTS, { recursive: true });
  await page.emulateMedia({ media: 'print' });
  await page.locator('.press-sheet').screenshot({ path: join(RESULTS, name.replace(/\.pdf$/, '.png')) });
  // Back to no emulation: `pdf()` prints with the print style sheet unless told `screen`.
  await page.emulateMedia({ media: null });
  const path = join(RESULTS, name);
  await page.pdf({ path, format: 'A4', preferCSSPageSize: true, printBackground: true });
  return pageCount(await readFile(path));
}

describe('the press summary on the local stack', () => {
  let session: Session;
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    session = await openSession('optally-e2e-press-');
    ({ stack, browser, page, pageErrors } = session);
    await upload(
      stack,
      'BR',
      'br.csv',
      aReturn()
        .withRow('2025-11-12', 'arrests', 12)
        .withRow('2025-11-13', 'arrests', 8)
        .withRow('2025-11-13', 'victims_safeguarded', 6)
        .withRow('2025-11-13', 'officers_deployed', 140)
        .csv(),
    );
    await upload(stack, 'KE', 'ke.csv', aReturn().withRow('2025-11-14', 'arrests', 5).csv());
    await upload(stack, 'FR', 'fr.csv', aReturn().withRow('2025-11-12', 'arrests', 0).csv());
    await stack.settled();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('shows the headline figures, progress, map, chart by region and what each figure means', async () => {
    await page.goto(`${stack.apiUrl}/#/press`);
    await page.getByRole('button', { name: 'Coordinator', exact: true }).click();

    await waitForText(page, '#press-progress', '3 of 119 countries reported (2.5%)');
    expect(await page.isHidden('#dashboard')).toBe(true);
    const card = (metric: string) => `#press-cards [data-metric="${metric}"] .press-card-value`;
    expect(await textOf(page, card('arrests'))).toBe('25');
    expect(await page.getAttribute(card('irregular_migrants_detected'), 'data-state')).toBe('missing');
    expect(await textOf(page, '#press-state')).toMatch(/^Provisional figures:/);
    expect(await textOf(page, '#press-notes dd[data-metric="victims_safeguarded"]')).toContain(
      'each counted once',
    );
    expect(await page.locator('#press-notes dd').count()).toBe(6);
    // The map, not interactive: a picture with no links into the drill-down.
    await page.waitForSelector('#press-map svg', { timeout: WAIT_MS });
    expect(await page.getAttribute('#press-map .world-map', 'data-interactive')).toBe('false');
    expect(await page.locator('#press-map a').count()).toBe(0);
    expect(await page.getAttribute('#press-region-chart', 'aria-label')).toBe(
      'Arrests by region: Africa 5, Americas 20, Asia —, Europe 0.',
    );
  });

  it('prints to exactly one A4 page, the dashboard’s chrome left out', async () => {
    expect(await printToPdf(page, 'press-summary.pdf')).toBe(1);

    await page.emulateMedia({ media: 'print' });
    try {
      expect(await page.isVisible('#press-cards')).toBe(true);
      expect(await page.isVisible('#press-map')).toBe(true);
      expect(await page.isVisible('#press-notes')).toBe(true);
      for (const hidden of ['.banner', '.footer', '.press-actions'])
        expect(await page.isVisible(hidden), hidden).toBe(false);
    } finally {
      await page.emulateMedia({ media: null });
    }
  });

  it('still fits one page in Arabic, right to left', async () => {
    await Promise.all([page.waitForEvent('load'), page.selectOption('#lang-select', 'ar')]);
    await page.waitForFunction(() => document.documentElement.dir === 'rtl', null, { timeout: WAIT_MS });
    await page.waitForSelector('#press-map svg', { timeout: WAIT_MS });
    await page.waitForFunction(
      () => (document.querySelector('#press-cards')?.children.length ?? 0) === 6,
      null,
      {
        timeout: WAIT_MS,
      },
    );

    expect(await printToPdf(page, 'press-summary-ar.pdf')).toBe(1);
    await Promise.all([page.waitForEvent('load'), page.selectOption('#lang-select', 'en')]);
    expect(pageErrors).toEqual([]);
  });

  it('tells an agency the summary is not for it', async () => {
    const agency = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      const errors = watchForPageErrors(agency);
      await agency.goto(`${stack.apiUrl}/#/press`);
      await agency.selectOption('#agency-select', 'KE');
      await agency.getByRole('button', { name: 'Sign in as this agency' }).click();

      await agency.waitForSelector('#press-message', { state: 'visible', timeout: WAIT_MS });
      expect(await textOf(agency, '#press-message')).toMatch(
        /^The press summary shows the figures of every country/,
      );
      expect(await agency.isHidden('#press-cards')).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await agency.close();
    }
  });
});
