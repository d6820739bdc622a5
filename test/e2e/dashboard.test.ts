import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import { aReturn } from '../support/builders.ts';
import { watchForPageErrors } from './support/browser.ts';
import {
  countryCell,
  headline,
  markDocument,
  rowOrder,
  textOf,
  WAIT_MS,
  waitForText,
} from './support/page-helpers.ts';
import { openSession, type Session } from './support/session.ts';

const OP = 'liberterra-iii';
const SCREENSHOTS = join('test-results', 'e2e');

/** Uploads a return as an agency's file lands in the bucket: `incoming/{op}/{CC}/{name}`. */
async function upload(stack: LocalStack, country: string, name: string, csv: string): Promise<void> {
  await stack.putReturn(`incoming/${OP}/${country}/${name}`, csv);
}

describe('the coordination dashboard on the local stack', () => {
  let session: Session;
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let notReloaded: () => Promise<boolean>;

  beforeAll(async () => {
    session = await openSession('optally-e2e-');
    ({ stack, browser, page, pageErrors } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  it('signs a coordinator in from the local role list and shows every metric as not reported yet', async () => {
    await page.goto(stack.apiUrl);
    await page.getByRole('button', { name: 'Coordinator', exact: true }).click();

    await waitForText(page, '#progress-count', '0 of 119 countries reported');
    expect(await page.locator('#headline .card').count()).toBe(6);
    expect(await page.getAttribute(headline('arrests'), 'data-state')).toBe('missing');
    expect(await textOf(page, headline('arrests'))).toBe('—not reported');
    expect(await textOf(page, '#op-status')).toBe('Open');
    notReloaded = await markDocument(page);
  });

  it('shows uploaded returns in the totals and the progress without a reload', async () => {
    await upload(
      stack,
      'BR',
      'first.csv',
      aReturn()
        .withRow('2025-11-12', 'arrests', 12)
        .withRow('2025-11-13', 'arrests', 8)
        .withRow('2025-11-13', 'arrests_trafficking_smuggling', 3)
        .withRow('2025-11-13', 'officers_deployed', 140)
        .csv(),
    );
    await waitForText(page, headline('arrests'), '20');
    await waitForText(page, '#progress-count', '1 of 119 countries reported');

    await upload(stack, 'KE', 'week-1.csv', aReturn().withRow('2025-11-14', 'arrests', 5).csv());
    await waitForText(page, headline('arrests'), '25');
    await waitForText(page, '#progress-count', '2 of 119 countries reported');

    expect(await textOf(page, `#headline [data-metric="arrests"] .card-change`)).toMatch(/^\+5 on /);
    expect(await textOf(page, '#missing-count')).toBe('117');
    expect(await page.locator('#missing-list li', { hasText: 'Brazil' }).count()).toBe(0);
    expect(await page.locator('#missing-list li', { hasText: 'France' }).count()).toBe(1);
    expect(await notReloaded()).toBe(true);
  });

  it('shows a reported zero as 0 and a metric nobody reported as “—”, not reported', async () => {
    await upload(stack, 'FR', 'zero.csv', aReturn().withRow('2025-11-12', 'arrests', 0).csv());
    await waitForText(page, '#progress-count', '3 of 119 countries reported');

    const zero = countryCell('FR', 'arrests');
    expect(await textOf(page, zero)).toBe('0');
    expect(await page.getAttribute(zero, 'data-state')).toBe('zero');
    const notReported = countryCell('FR', 'victims_safeguarded');
    expect(await page.getAttribute(notReported, 'data-state')).toBe('missing');
    expect(await textOf(page, `${notReported} [aria-hidden="true"]`)).toBe('—');
    expect(await textOf(page, `${notReported} .sr-only`)).toBe('not reported');
    expect(await page.getAttribute(headline('victims_safeguarded'), 'data-state')).toBe('missing');
    expect(await notReloaded()).toBe(true);
  });

  it('sorts the country table from the keyboard, not-reported figures last', async () => {
    const arrestsHeader = page.locator('#country-head th[data-key="metric:arrests"]');
    await arrestsHeader.getByRole('button').focus();

    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () =>
        document.querySelector('#country-head th[data-key="metric:arrests"]')?.getAttribute('aria-sort') ===
        'descending',
    );
    expect((await rowOrder(page)).slice(0, 3)).toEqual(['BR', 'KE', 'FR']);

    await page.keyboard.press('Space');
    expect(await arrestsHeader.getAttribute('aria-sort')).toBe('ascending');
    expect((await rowOrder(page)).slice(0, 3)).toEqual(['FR', 'KE', 'BR']);
    expect(await page.locator('#country-head th[aria-sort]').count()).toBe(1);
  });

  it('filters the country table by status and region', async () => {
    await page.selectOption('#status-filter', 'reported');
    expect((await rowOrder(page)).sort()).toEqual(['BR', 'FR', 'KE']);
    await page.selectOption('#region-filter', 'Europe');
    expect(await rowOrder(page)).toEqual(['FR']);
    await page.selectOption('#status-filter', 'missing');
    expect(await rowOrder(page)).not.toContain('FR');
    expect(await textOf(page, '#country-count')).toMatch(/^Showing \d+ of 119 countries$/);
    await page.selectOption('#status-filter', 'all');
    await page.selectOption('#region-filter', 'all');
  });

  it('saves screenshots of the live dashboard, standard and projector', async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png'), fullPage: true });

    const toggle = page.getByRole('button', { name: 'Projector mode' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-projector.png') });
    await toggle.click();

    expect(pageErrors).toEqual([]);
  });

  it('shows an agency its rejected file with every problem located', async () => {
    await upload(
      stack,
      'KE',
      'broken.csv',
      aReturn()
        .withRow('2025-11-12', 'arests', 4)
        .withRow('2025-12-01', 'arrests', 2)
        .withRow('2025-11-13', 'arrests', 'twelve')
        .csv(),
    );
    const agency = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      const errors = watchForPageErrors(agency);
      await agency.goto(stack.apiUrl);
      await agency.selectOption('#agency-select', 'KE');
      await agency.getByRole('button', { name: 'Sign in as this agency' }).click();

      await agency.waitForFunction(
        () => document.querySelector('#report-verdict')?.textContent === 'Rejected',
        null,
        {
          timeout: WAIT_MS,
        },
      );
      expect(await agency.isHidden('#dashboard')).toBe(true);
      expect(await textOf(agency, '#report-file')).toBe('broken.csv');
      const problems = await agency.$$eval('#problems-body tr', (rows) =>
        rows.map((r) => Array.from((r as HTMLTableRowElement).cells, (c) => c.textContent?.trim() ?? '')),
      );
      const byCode = new Map(problems.map(([, row, column, value, code]) => [code, { row, column, value }]));
      expect(byCode.get('unknown-metric')).toEqual({ row: '2', column: 'metric', value: 'arests' });
      expect(byCode.get('date-outside-window')).toEqual({ row: '3', column: 'date', value: '2025-12-01' });
      expect(byCode.get('bad-value')).toEqual({ row: '4', column: 'value', value: 'twelve' });
      for (const [, , , , , message, hint] of problems) {
        expect(message).not.toBe('');
        expect(hint).not.toBe('');
      }
      expect(await agency.locator('#submissions-body tr').count()).toBe(2);
      await agency.screenshot({ path: join(SCREENSHOTS, 'agency.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await agency.close();
    }
  });
});
