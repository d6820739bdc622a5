import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aReturn } from '../support/builders.ts';
import { countryCell, textOf, WAIT_MS, waitForText } from './support/page-helpers.ts';
import { openSession, type Session } from './support/session.ts';

const OP = 'liberterra-iii';
const SCREENSHOTS = join('test-results', 'e2e');
const ARABIC = /[\u0600-\u06ff]/;

/** Every figure the dashboard shows that a language could change: the headline cards and Brazil's row. */
async function figures(page: Page): Promise<Record<string, string>> {
  await page.waitForFunction(
    () =>
      document.querySelector('#headline [data-metric="arrests"] .card-value')?.textContent?.trim() === '20',
    undefined,
    {
      timeout: WAIT_MS,
    },
  );
  const cards = await page.$$eval('#headline [data-metric]', (nodes) =>
    nodes.map((n) => [
      (n as HTMLElement).dataset.metric ?? '',
      n.querySelector('.card-value')?.getAttribute('data-state') ?? '',
      n.querySelector('.card-value [aria-hidden], .card-value')?.textContent?.trim() ?? '',
    ]),
  );
  const out: Record<string, string> = {};
  for (const [metric, state, text] of cards) out[`headline ${metric}`] = `${state}:${digits(text ?? '')}`;
  for (const metric of ['arrests', 'officers_deployed', 'victims_safeguarded']) {
    const cell = countryCell('BR', metric);
    out[`BR ${metric}`] =
      `${await page.getAttribute(cell, 'data-state')}:${digits(await textOf(page, cell))}`;
  }
  return out;
}

/** A figure's digits and dash, whatever the locale's grouping separator. */
const digits = (text: string): string => text.replace(/[^0-9—−+-]/g, '');

async function choose(page: Page, lang: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.selectOption('#lang-select', lang)]);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang, { timeout: WAIT_MS });
}

describe('the dashboard in English, French, Spanish and Arabic', () => {
  let session: Session;
  let english: Record<string, string>;

  beforeAll(async () => {
    session = await openSession('optally-e2e-lang-');
    await mkdir(SCREENSHOTS, { recursive: true });
    const { stack } = session;
    await stack.putReturn(
      `incoming/${OP}/BR/first.csv`,
      aReturn()
        .withRow('2025-11-12', 'arrests', 12)
        .withRow('2025-11-13', 'arrests', 8)
        .withRow('2025-11-13', 'victims_safeguarded', 0)
        .withRow('2025-11-13', 'officers_deployed', 1400)
        .csv(),
    );
    await stack.settled();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('starts in English for an English browser, with the figures', async () => {
    const { page, stack } = session;
    await page.goto(stack.apiUrl);
    await page.getByRole('button', { name: 'Coordinator', exact: true }).click();
    english = await figures(page);
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([
      'en',
      'ltr',
    ]);
    expect(await textOf(page, '#countries-title')).toBe('Countries');
    // A reported 0 and a figure not reported stay distinct.
    expect(english['BR victims_safeguarded']).toBe('zero:0');
    expect(english['headline irregular_migrants_detected']).toBe('missing:—');
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-en.png'), fullPage: true });
  });

  it('switches to French from the menu, remembers it, and keeps the same figures', async () => {
    const { page } = session;
    await choose(page, 'fr');
    await waitForText(page, '#countries-title', 'Pays');
    expect(await textOf(page, '#charts-title')).toBe('Graphiques');
    expect(await page.evaluate(() => localStorage.getItem('optally.lang'))).toBe('fr');
    expect(await figures(page)).toEqual(english);
    // French groups thousands with a (narrow) space: 1 400.
    expect(await textOf(page, countryCell('BR', 'officers_deployed'))).toMatch(/^1\s400$/u);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-fr.png'), fullPage: true });
  });

  it('shows Spanish with every language named in its own language in the menu', async () => {
    const { page } = session;
    await choose(page, 'es');
    await waitForText(page, '#countries-title', 'Países');
    expect(await page.$$eval('#lang-select option', (o) => o.map((x) => x.textContent))).toEqual([
      'English',
      'Français',
      'Español',
      'العربية',
    ]);
    expect(await figures(page)).toEqual(english);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-es.png'), fullPage: true });
  });

  it('lays the page out right to left in Arabic, with Arabic headings and the same figures as in English', async () => {
    const { page } = session;
    await choose(page, 'ar');
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await page.waitForFunction(() =>
      /[\u0600-\u06ff]/.test(document.querySelector('#countries-title')?.textContent ?? ''),
    );
    expect(await textOf(page, '#countries-title')).toMatch(ARABIC);
    expect(await textOf(page, '#progress-title')).toMatch(ARABIC);
    const arabic = await figures(page);
    expect(arabic).toEqual(english);
    // Latin digits, as the domain decided: the figure reads as in the agency's spreadsheet.
    expect(await textOf(page, countryCell('BR', 'officers_deployed'))).toMatch(/^1[,٬]?400$/u);
    // Mirrored: the table's first column starts on the right.
    const [table, first] = await page.$$eval('#country-table, #country-head th:first-child', (nodes) =>
      nodes.map((n) => n.getBoundingClientRect().right),
    );
    expect(Math.abs((table ?? 0) - (first ?? 0))).toBeLessThan(2);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-ar.png'), fullPage: true });
  });

  it('starts from the browser’s language when none was chosen', async () => {
    const context = await session.browser.newContext({
      locale: 'es-ES',
      viewport: { width: 1200, height: 900 },
    });
    try {
      const page = await context.newPage();
      await page.goto(session.stack.apiUrl);
      await page.waitForFunction(() => document.documentElement.lang === 'es', undefined, {
        timeout: WAIT_MS,
      });
      expect(await textOf(page, '#sign-in-title')).toBe('Iniciar sesión');
    } finally {
      await context.close();
    }
  });
});
