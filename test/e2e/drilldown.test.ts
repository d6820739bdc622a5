import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import { aReturn } from '../support/builders.ts';
import { watchForPageErrors } from './support/browser.ts';
import { markDocument, textOf, WAIT_MS, waitForText } from './support/page-helpers.ts';
import { openSession, type Session } from './support/session.ts';

const OP = 'liberterra-iii';

/** Uploads a return as an agency's file lands in the bucket: `incoming/{op}/{CC}/{name}`. */
async function upload(stack: LocalStack, country: string, name: string, csv: string): Promise<void> {
  await stack.putReturn(`incoming/${OP}/${country}/${name}`, csv);
}

/** A figure cell of the drill-down's table by day. */
const dayCell = (date: string, metric: string) =>
  `#country-days tr[data-date="${date}"] td[data-metric="${metric}"]`;

/** One line of what a correction changed: its metric, its day (`total` for the whole operation). */
const changeRow = (metric: string, date: string) =>
  `#country-changes tr[data-metric="${metric}"][data-date="${date}"]`;

/** The figures of a change line: before, after, and the words for the kind of change. */
async function changeLine(page: Page, metric: string, date: string) {
  const row = changeRow(metric, date);
  return {
    kind: await page.getAttribute(row, 'data-kind'),
    before: await textOf(page, `${row} td[data-side="before"]`),
    beforeState: await page.getAttribute(`${row} td[data-side="before"]`, 'data-state'),
    after: await textOf(page, `${row} td[data-side="after"]`),
    afterState: await page.getAttribute(`${row} td[data-side="after"]`, 'data-state'),
  };
}

describe('the country drill-down on the local stack', () => {
  let session: Session;
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let notReloaded: () => Promise<boolean>;

  beforeAll(async () => {
    session = await openSession('optally-e2e-drilldown-');
    ({ stack, browser, page, pageErrors } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  it('opens a deep link to a country once the coordinator has signed in', async () => {
    await page.goto(`${stack.apiUrl}/#/countries/br`);
    await page.getByRole('button', { name: 'Coordinator', exact: true }).click();

    await waitForText(page, '#country-title', 'Brazil');
    expect(await textOf(page, '#country-subtitle')).toBe('BR · Americas');
    await waitForText(page, '#country-history-empty', 'No file received from this country yet.');
    expect(await page.getAttribute('#country-current', 'data-state')).toBe('missing');
    expect(await page.isHidden('#dashboard')).toBe(true);
    expect(await page.getAttribute(dayCell('2025-11-12', 'arrests'), 'data-state')).toBe('missing');
    notReloaded = await markDocument(page);
  });

  it('shows a correction’s changes per metric and day, a removed day as not reported, in place', async () => {
    await upload(
      stack,
      'BR',
      'first.csv',
      aReturn()
        .withRow('2025-11-12', 'arrests', 12)
        .withRow('2025-11-13', 'arrests', 8)
        .withRow('2025-11-13', 'arrests_trafficking_smuggling', 3)
        .withRow('2025-11-13', 'victims_safeguarded', 4)
        .withRow('2025-11-13', 'victims_safeguarded', 3, 'exploitation=sexual_exploitation')
        .withRow('2025-11-13', 'victims_safeguarded', 0, 'exploitation=forced_labour')
        .csv(),
    );
    await page.waitForSelector('#country-history tr[data-verdict="accepted"]', { timeout: WAIT_MS });
    expect(await textOf(page, dayCell('2025-11-12', 'arrests'))).toBe('12');
    expect(await textOf(page, '#country-history td.what-changed')).toBe('First accepted return');
    const breakdown = '#country-breakdowns [data-metric="victims_safeguarded"]';
    expect(await textOf(page, `${breakdown} tr[data-value="sexual_exploitation"] td[data-day="total"]`)).toBe(
      '3',
    );
    const zero = `${breakdown} tr[data-value="forced_labour"] td[data-day="total"]`;
    expect(await textOf(page, zero)).toBe('0');
    expect(await page.getAttribute(zero, 'data-state')).toBe('zero');
    const none = `${breakdown} tr[data-value="organ_removal"] td[data-day="total"]`;
    expect(await page.getAttribute(none, 'data-state')).toBe('missing');

    // The correction: 13 Nov's arrests 8 → 5, 12 Nov left out (no longer reported), 14 Nov a reported 0.
    await upload(
      stack,
      'BR',
      'second.csv',
      aReturn()
        .withRow('2025-11-13', 'arrests', 5)
        .withRow('2025-11-13', 'arrests_trafficking_smuggling', 3)
        .withRow('2025-11-13', 'victims_safeguarded', 4)
        .withRow('2025-11-13', 'victims_safeguarded', 3, 'exploitation=sexual_exploitation')
        .withRow('2025-11-13', 'victims_safeguarded', 0, 'exploitation=forced_labour')
        .withRow('2025-11-14', 'investigations_opened', 0)
        .csv(),
    );
    await page.waitForSelector(changeRow('arrests', '2025-11-12'), { timeout: WAIT_MS });

    expect(await changeLine(page, 'arrests', 'total')).toEqual({
      kind: 'changed',
      before: '20',
      beforeState: 'value',
      after: '5',
      afterState: 'value',
    });
    expect(await changeLine(page, 'arrests', '2025-11-13')).toMatchObject({
      kind: 'changed',
      before: '8',
      after: '5',
    });
    expect(await changeLine(page, 'arrests', '2025-11-12')).toMatchObject({
      kind: 'removed',
      before: '12',
      afterState: 'missing',
    });
    expect(await changeLine(page, 'investigations_opened', '2025-11-14')).toMatchObject({
      kind: 'added',
      beforeState: 'missing',
      after: '0',
      afterState: 'zero',
    });
    // Figures the correction left alone are not listed.
    expect(
      await page.locator('#country-changes tr[data-metric="arrests_trafficking_smuggling"]').count(),
    ).toBe(0);
    expect(await page.locator('#country-changes tr[data-metric="victims_safeguarded"]').count()).toBe(0);
    expect(await textOf(page, '#country-changes .removed-days')).toBe(
      'One day is no longer reported: Nov 12.',
    );

    const history = await page.$$eval('#country-history tbody tr', (rows) =>
      rows.map((r) => ({
        verdict: (r as HTMLElement).dataset.verdict,
        current: r.getAttribute('aria-current'),
        file: r.querySelector('.file')?.textContent,
        changed: r.querySelector('.what-changed')?.textContent,
      })),
    );
    expect(history).toEqual([
      { verdict: 'accepted', current: 'true', file: 'second.csv', changed: '5 figures changed, see below' },
      { verdict: 'superseded', current: null, file: 'first.csv', changed: 'First accepted return' },
    ]);
    expect(await page.getAttribute(dayCell('2025-11-12', 'arrests'), 'data-state')).toBe('missing');
    expect(await textOf(page, dayCell('2025-11-14', 'investigations_opened'))).toBe('0');
    expect(await notReloaded()).toBe(true);
  });

  it('shows a rejected file in the history with its verdict, the figures unchanged', async () => {
    await upload(stack, 'BR', 'broken.csv', aReturn().withRow('2025-11-13', 'arests', 4).csv());
    await page.waitForSelector('#country-history tr[data-verdict="rejected"]', { timeout: WAIT_MS });
    expect(await textOf(page, '#country-history tr[data-verdict="rejected"] .what-changed')).toBe(
      'Not counted',
    );
    expect(await page.getAttribute('#country-history tr[data-verdict="accepted"]', 'aria-current')).toBe(
      'true',
    );
    expect(await textOf(page, dayCell('2025-11-13', 'arrests'))).toBe('5');
  });

  it('saves a screenshot of the drill-down', async () => {
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: join('test-results', 'drilldown.png'), fullPage: true });
  });

  it('says a code that names no participant is not found, and goes back to the country', async () => {
    await page.evaluate(() => {
      location.hash = '#/countries/ZZ';
    });
    await waitForText(page, '#country-title', 'Country not found');
    expect(await textOf(page, '#country-message')).toMatch(
      /^“ZZ” is not a country taking part in this operation\./,
    );
    expect(await page.isHidden('#country-body')).toBe(true);

    await page.goBack();
    await waitForText(page, '#country-title', 'Brazil');
    await page.locator('#country-view .back-link').click();
    await page.waitForSelector('#dashboard', { state: 'visible', timeout: WAIT_MS });
    expect(await page.isHidden('#country-view')).toBe(true);

    // From the dashboard's table, a country's name opens its drill-down.
    await page.locator('#country-body tr[data-key="BR"] a.country-name').click();
    await waitForText(page, '#country-title', 'Brazil');
    expect(new URL(page.url()).hash).toBe('#/countries/BR');
    expect(await notReloaded()).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('keeps an agency to its own country: another one is refused in a sentence', async () => {
    const agency = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      const errors = watchForPageErrors(agency);
      await agency.goto(`${stack.apiUrl}/#/countries/BR`);
      await agency.selectOption('#agency-select', 'KE');
      await agency.getByRole('button', { name: 'Sign in as this agency' }).click();

      await waitForText(
        agency,
        '#country-message',
        'You are signed in as the agency of Kenya: you can open only your own country’s figures and submissions, not those of BR.',
      );
      expect(await agency.isHidden('#country-body')).toBe(true);
      expect(await agency.locator('#country-view td[data-metric]').count()).toBe(0);

      await agency.locator('#country-view .back-link').click();
      await agency.waitForSelector('#agency', { state: 'visible', timeout: WAIT_MS });
      await agency.locator('#agency-country-link').click();
      await waitForText(agency, '#country-title', 'Kenya');
      await waitForText(agency, '#country-history-empty', 'No file received from this country yet.');
      expect(await agency.isHidden('#country-message')).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await agency.close();
    }
  });
});
