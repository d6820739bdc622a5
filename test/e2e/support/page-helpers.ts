import type { Page } from 'playwright-core';

/** How long to wait for the page to reach a state: a poll is 3 s, an ingest about a second. */
export const WAIT_MS = 30_000;

/** Waits until the element's visible text (trimmed) equals `text`. */
export async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([s, t]) => document.querySelector(s)?.textContent?.trim() === t,
    [selector, text] as const,
    { timeout: WAIT_MS },
  );
}

/** The trimmed text of an element ('' when absent). */
export async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent({ timeout: WAIT_MS }))?.trim() ?? '';
}

/** The headline figure of a metric. */
export const headline = (metric: string) => `#headline [data-metric="${metric}"] .card-value`;

/** A figure cell of the country table. */
export const countryCell = (country: string, metric: string) =>
  `#country-body tr[data-key="${country}"] td[data-metric="${metric}"]`;

/** The country codes of the table's rows, top to bottom. */
export function rowOrder(page: Page): Promise<string[]> {
  return page.$$eval('#country-body tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.key ?? ''));
}

/**
 * Marks the loaded document, so a test can prove later that the page updated itself rather than
 * being reloaded (a reload would drop the mark).
 */
export async function markDocument(page: Page): Promise<() => Promise<boolean>> {
  await page.evaluate(() => {
    document.documentElement.dataset.testMark = 'not-reloaded';
  });
  return () => page.evaluate(() => document.documentElement.dataset.testMark === 'not-reloaded');
}
