import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RollupView } from '../../shared/api/responses.ts';
import { aReturn } from '../support/builders.ts';
import { markDocument, WAIT_MS } from './support/page-helpers.ts';
import { openSession, type Session } from './support/session.ts';

const OP = 'liberterra-iii';
const SCREENSHOTS = join('test-results', 'e2e');

/** The breakdown chart's description (its canvas's `aria-label`): every value with its figure. */
const chartText = (page: Page) => page.getAttribute('#breakdown-chart', 'aria-label');

/** Waits until the chart's description contains `text`. */
async function waitForChart(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (t) => document.querySelector('#breakdown-chart')?.getAttribute('aria-label')?.includes(t) ?? false,
    text,
    { timeout: WAIT_MS },
  );
}

/**
 * The breakdowns and the provisional exports in the browser, on the real local stack: the chart of
 * victims by type of exploitation, globally and for a region, updated in place when a country
 * corrects its return; the CSV downloaded with the token; the texts in French.
 */
describe('live breakdowns and provisional exports on the dashboard', () => {
  let session: Session;

  const upload = async (country: string, name: string, csv: string) => {
    await session.stack.putReturn(`incoming/${OP}/${country}/${name}`, csv);
    await session.stack.settled();
  };

  beforeAll(async () => {
    session = await openSession('optally-e2e-breakdowns-');
    await mkdir(SCREENSHOTS, { recursive: true });
    await upload(
      'BR',
      'r.csv',
      aReturn()
        .withRow('2025-11-12', 'victims_safeguarded', 7)
        .withRow('2025-11-12', 'victims_safeguarded', 4, 'exploitation=forced_labour')
        .withRow('2025-11-12', 'victims_safeguarded', 0, 'exploitation=domestic_servitude')
        .csv(),
    );
    await upload(
      'KE',
      'r.csv',
      aReturn()
        .withRow('2025-11-13', 'victims_safeguarded', 3)
        .withRow('2025-11-13', 'victims_safeguarded', 3, 'exploitation=sexual_exploitation')
        .csv(),
    );
  });

  afterAll(async () => {
    await session?.close();
  });

  it('charts victims by type of exploitation for all participants: 0 as 0, not reported as —', async () => {
    const { page, stack } = session;
    await page.goto(stack.apiUrl);
    await page.getByRole('button', { name: 'Coordinator', exact: true }).click();
    await page.waitForSelector('#breakdown-section', { state: 'visible', timeout: WAIT_MS });

    await waitForChart(page, 'Forced labour 4');
    const text = await chartText(page);
    expect(text).toContain('Sexual exploitation 3');
    expect(text).toContain('Domestic servitude 0');
    expect(text).toContain('Organ removal —');
    expect(await page.textContent('#breakdown-caption')).toBe(
      'Potential victims safeguarded by Type of exploitation: All participants',
    );
    expect(session.pageErrors).toEqual([]);
  });

  it('shows a region’s figures, and follows a correction in place', async () => {
    const { page } = session;
    const notReloaded = await markDocument(page);
    await page.selectOption('#breakdown-area', 'Africa');
    await waitForChart(page, 'Sexual exploitation 3');
    expect(await chartText(page)).toContain('Forced labour —');

    await upload(
      'KE',
      'corrected.csv',
      aReturn()
        .withRow('2025-11-13', 'victims_safeguarded', 5)
        .withRow('2025-11-13', 'victims_safeguarded', 2, 'exploitation=sexual_exploitation')
        .withRow('2025-11-13', 'victims_safeguarded', 3, 'exploitation=forced_labour')
        .csv(),
    );

    await waitForChart(page, 'Forced labour 3');
    expect(await chartText(page)).toContain('Sexual exploitation 2');
    expect(await page.inputValue('#breakdown-area')).toBe('Africa');
    expect(await notReloaded()).toBe(true);
    await page.locator('#breakdown-section').screenshot({ path: join(SCREENSHOTS, 'breakdowns.png') });
  });

  it('downloads the provisional CSV with the token: stamped with the version the API serves, its figures the rollup’s', async () => {
    const { page, stack } = session;
    const rollup = (await (
      await fetch(`${stack.apiUrl}/operations/${OP}/rollup`, {
        headers: { authorization: `Bearer ${stack.tokens.coordinator}` },
      })
    ).json()) as RollupView;

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: WAIT_MS }),
      page.getByRole('button', { name: 'Download CSV (provisional)', exact: true }).click(),
    ]);

    expect(download.suggestedFilename()).toBe(`${OP}-provisional-v${rollup.version}.csv`);
    const rows = parse(await readFile((await download.path())!, 'utf8'), {
      bom: true,
      relax_column_count: true,
    }) as string[][];
    expect(rows[0]).toEqual(['status', 'provisional']);
    expect(rows.find((r) => r[0] === 'figures_version')?.[1]).toBe(String(rollup.version));
    const global = rows.find(
      (r) => r[0] === 'global' && r[3] === 'victims_safeguarded' && r[5] === 'exploitation=forced_labour',
    );
    expect(global?.[6]).toBe('7');
    await page.waitForFunction(
      (name) => document.querySelector('#export-status')?.textContent?.includes(name) ?? false,
      download.suggestedFilename(),
      { timeout: WAIT_MS },
    );
  });

  it('speaks French: the chart’s labels from the definition, the buttons and the file’s stamp', async () => {
    const { page } = session;
    await Promise.all([page.waitForEvent('load'), page.selectOption('#lang-select', 'fr')]);
    await page.waitForSelector('#breakdown-section', { state: 'visible', timeout: WAIT_MS });

    await waitForChart(page, 'Travail forcé 7');
    expect(await page.textContent('#breakdown-caption')).toContain('Type d’exploitation');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: WAIT_MS }),
      page.getByRole('button', { name: 'Télécharger le fichier Excel (provisoire)', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^liberterra-iii-provisional-v\d+\.xlsx$/);
    expect(session.pageErrors).toEqual([]);
  });
});
