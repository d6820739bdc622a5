import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Countries } from 'world-countries';
import type { RollupView } from '../../web/src/api-types.ts';
import { aReturn, liberterraIII } from '../support/builders.ts';
import { markDocument, textOf, WAIT_MS } from './support/page-helpers.ts';
import { openSession, type Session } from './support/session.ts';

const OP = 'liberterra-iii';
const RESULTS = 'test-results';
const PARTICIPANTS = liberterraIII().participants.map((p) => p.code);

/** Countries that report before the page opens, with their arrests (a spread, so the classes differ). */
const REPORTED: Record<string, number> = {
  BR: 20,
  AR: 3,
  MX: 45,
  CO: 12,
  PE: 7,
  CL: 2,
  ES: 31,
  IT: 9,
  PL: 4,
  RO: 15,
  NG: 60,
  ZA: 27,
  SN: 0,
  IN: 88,
  ID: 40,
  TH: 18,
  PH: 25,
  VN: 6,
  KZ: 1,
  MV: 5,
  TT: 11,
  BS: 2,
  LU: 1,
  CA: 14,
};

const countries = createRequire(import.meta.url)('world-countries') as Countries;

/** A country's longitude (world-countries' `latlng`), to tell east from west. */
const longitude = (code: string): number => countries.find((c) => c.cca2 === code)?.latlng[1] ?? Number.NaN;

const mark = (code: string) => `#world-map .map-mark[data-cc="${code}"]`;

/** The colour class (`data-fill`) of a country's mark. */
const fillOf = (page: Page, code: string) => page.getAttribute(mark(code), 'data-fill');

/** Waits until a country's mark has a colour class. */
async function waitForFill(page: Page, code: string, fill: string): Promise<void> {
  await page.waitForFunction(
    ([selector, wanted]) => document.querySelector(selector)?.getAttribute('data-fill') === wanted,
    [mark(code), fill] as const,
    { timeout: WAIT_MS },
  );
}

describe('the world map on the dashboard', () => {
  let session: Session;
  let page: Page;

  /** The rollup as the API serves it now (to know whether a country counts as late). */
  async function rollup(): Promise<RollupView> {
    const response = await fetch(`${session.stack.apiUrl}/operations/${OP}/rollup`, {
      headers: { authorization: `Bearer ${session.stack.tokens.coordinator}` },
    });
    return (await response.json()) as RollupView;
  }

  beforeAll(async () => {
    session = await openSession('optally-e2e-map-');
    page = session.page;
    await mkdir(RESULTS, { recursive: true });
    for (const [country, arrests] of Object.entries(REPORTED)) {
      await session.stack.putReturn(
        `incoming/${OP}/${country}/first.csv`,
        aReturn()
          .withRow('2025-11-12', 'arrests', arrests)
          .withRow('2025-11-13', 'victims_safeguarded', arrests + 2)
          .csv(),
      );
    }
    // France reports zeros only: "reported 0", never to be confused with "not reported".
    await session.stack.putReturn(
      `incoming/${OP}/FR/zeros.csv`,
      aReturn().withRow('2025-11-12', 'arrests', 0).withRow('2025-11-12', 'victims_safeguarded', 0).csv(),
    );
    await session.stack.settled();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('draws every participant once, as a shape or as a dot, small states as dots', async () => {
    await page.goto(session.stack.apiUrl);
    await page.getByRole('button', { name: 'Coordinator', exact: true }).click();
    await waitForFill(page, 'FR', 'zero');

    const shapes = await page.locator('#world-map .map-mark[data-kind="shape"]').count();
    const dots = await page.locator('#world-map .map-mark[data-kind="dot"]').count();
    expect(shapes + dots).toBe(PARTICIPANTS.length);
    expect(PARTICIPANTS.length).toBe(119);
    const codes = await page.$$eval('#world-map .map-mark', (marks) =>
      marks.map((m) => m.getAttribute('data-cc') ?? ''),
    );
    expect([...codes].sort()).toEqual([...PARTICIPANTS].sort());
    expect(await page.locator('#country-body tr').count()).toBe(codes.length);
    for (const small of ['BS', 'CW', 'TC', 'MV', 'BB', 'MU', 'LU', 'TT']) {
      expect(await page.getAttribute(mark(small), 'data-kind'), small).toBe('dot');
    }
    for (const large of ['BR', 'FR', 'KE', 'IN', 'CA']) {
      expect(await page.getAttribute(mark(large), 'data-kind'), large).toBe('shape');
    }
    expect(await page.getAttribute(mark('BR'), 'href')).toBe('#/countries/BR');
    expect(await page.getAttribute('#world-map svg', 'role')).toBe('group');
    expect(await page.getAttribute('#world-map svg', 'aria-label')).toMatch(
      /^World map of the participating/,
    );
  });

  it('colours by reporting status: late or on time, reported 0, not reported', async () => {
    const now = await rollup();
    expect(await fillOf(page, 'BR')).toBe(now.countries.BR?.late ? 'late' : 'on-time');
    expect(await fillOf(page, 'FR')).toBe('zero');
    // Senegal reported 0 arrests but 2 victims: a reported country, not "reported 0".
    expect(await fillOf(page, 'SN')).toBe(now.countries.SN?.late ? 'late' : 'on-time');
    expect(await fillOf(page, 'KE')).toBe('missing');
    // Not reported is the hatch, a 0 a colour: they never look alike.
    const painted = (code: string) =>
      page.$eval(`${mark(code)} .map-fill`, (node) => getComputedStyle(node).fill);
    expect(await painted('KE')).toMatch(/^url\(/);
    expect(await painted('FR')).not.toMatch(/^url\(/);
    const legend = await page.$$eval('#world-map .map-legend-items li', (items) =>
      items.map((li) => li.textContent?.replace(/\s+/g, ' ').trim()),
    );
    // France, the one "reported 0", is counted there and not also as late or on time.
    const franceLate = now.countries.FR?.late ? 1 : 0;
    const late = now.progress.late.length - franceLate;
    const onTime = now.progress.onTime - (1 - franceLate);
    expect(legend).toEqual([
      `Reported on time (${onTime})`,
      `Reported late (${late})`,
      'Reported 0 (1)',
      `Not reported (${now.progress.missing.length})`,
      'Not taking part',
    ]);
    expect(onTime + late + 1 + now.progress.missing.length).toBe(119);
  });

  it('recolours a country in place when it reports, without a reload', async () => {
    const notReloaded = await markDocument(page);
    await page.$eval(mark('KE'), (node) => {
      (node as unknown as { testMark: string }).testMark = 'same node';
    });

    await session.stack.putReturn(
      `incoming/${OP}/KE/week-1.csv`,
      aReturn().withRow('2025-11-14', 'arrests', 5).csv(),
    );
    await session.stack.settled();
    const late = (await rollup()).countries.KE?.late;
    await waitForFill(page, 'KE', late ? 'late' : 'on-time');

    expect(await page.$eval(mark('KE'), (n) => (n as unknown as { testMark?: string }).testMark)).toBe(
      'same node',
    );
    expect(await notReloaded()).toBe(true);
  });

  it('shows a country’s figures when the pointer is over it', async () => {
    await page.locator(mark('BR')).hover();
    const tooltip = page.locator('#world-map .map-tooltip');
    await tooltip.waitFor({ state: 'visible', timeout: WAIT_MS });
    expect(await textOf(page, '#world-map .map-tooltip-name')).toBe('Brazil');
    expect(await textOf(page, '#world-map .map-tooltip-status')).toMatch(/^Reported (late|on time)$/);
    const figures = await page.$$eval('#world-map .map-figures > div', (rows) =>
      rows.map((r) => `${r.querySelector('dt')?.textContent}=${r.querySelector('dd')?.textContent}`),
    );
    expect(figures).toContain('Arrests=20');
    expect(figures).toContain('Potential victims safeguarded=22');
    expect(figures.some((f) => f.startsWith('Officers deployed=—'))).toBe(true);

    await page.mouse.move(2, 2);
    await tooltip.waitFor({ state: 'hidden', timeout: WAIT_MS });
  });

  it('colours by a metric’s value classes, with a legend and "not reported" apart from 0', async () => {
    await page.selectOption('#map-mode', 'arrests');
    await waitForFill(page, 'FR', 'zero');
    expect(await fillOf(page, 'KZ')).toBe('step-0');
    expect(await fillOf(page, 'IN')).toBe('step-4');
    expect(await fillOf(page, 'GB')).toBe('missing');
    expect(await textOf(page, '#world-map .map-legend-title')).toBe('Arrests (persons)');
    const legend = await page.$$eval('#world-map .map-legend-items li', (items) =>
      items.map((li) => li.textContent?.replace(/\s+/g, ' ').trim() ?? ''),
    );
    expect(legend[0]).toMatch(/^Not reported \(\d+\)$/);
    expect(legend[1]).toBe('0 (2)'); // France and Senegal
    expect(legend.at(-2)).toMatch(/^\d+–88 \(\d+\)$/);
    expect(await page.getAttribute(mark('IN'), 'aria-label')).toBe('India: Arrests, 88');
    await page.locator('#world-map').screenshot({ path: `${RESULTS}/map-metric.png` });

    await page.selectOption('#map-mode', '');
    await waitForFill(page, 'FR', 'zero');
    await page.locator(mark('MX')).hover();
    await page.locator('#world-map .map-tooltip').waitFor({ state: 'visible', timeout: WAIT_MS });
    await page.locator('.panel.map').screenshot({ path: `${RESULTS}/map.png` });
    await page.mouse.move(2, 2);

    const projector = page.getByRole('button', { name: 'Projector mode' });
    await projector.click();
    await page.locator('.panel.map').screenshot({ path: `${RESULTS}/map-projector.png` });
    await projector.click();
    expect(session.pageErrors).toEqual([]);
  });

  it('speaks the page’s language and lays the legend out right to left in Arabic', async () => {
    await page.selectOption('#map-mode', 'arrests');
    await waitForFill(page, 'IN', 'step-4');
    await Promise.all([page.waitForEvent('load'), page.selectOption('#lang-select', 'ar')]);
    // The choice of colours survives the reload into Arabic.
    await waitForFill(page, 'IN', 'step-4');
    expect(await page.inputValue('#map-mode')).toBe('arrests');
    expect(await textOf(page, '#world-map .map-legend-title')).toBe('حالات الاعتقال (أشخاص)');
    await page.selectOption('#map-mode', '');
    await waitForFill(page, 'FR', 'zero');
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    expect(await textOf(page, '#map-title')).toBe('خريطة العالم');
    const [first, items] = await page.$$eval(
      '#world-map .map-legend-items, #world-map .map-legend-items li',
      (n) => n.slice(0, 2).map((x) => x.getBoundingClientRect().right),
    );
    expect(Math.abs((first ?? 0) - (items ?? 0))).toBeLessThan(2);
    // The map itself is not mirrored: Brazil is still west of India.
    const x = (code: string) => page.$eval(mark(code), (n) => n.getBoundingClientRect().left);
    expect(await x('BR')).toBeLessThan(await x('IN'));

    await page.locator(mark('BR')).hover();
    await page.waitForFunction(() =>
      /[\u0600-\u06ff]/.test(document.querySelector('#world-map .map-tooltip-name')?.textContent ?? ''),
    );
    expect(await textOf(page, '#world-map .map-tooltip')).toContain('20');
    await page.locator('.panel.map').screenshot({ path: `${RESULTS}/map-ar.png` });
    await page.mouse.move(2, 2);

    await Promise.all([page.waitForEvent('load'), page.selectOption('#lang-select', 'en')]);
    await waitForFill(page, 'FR', 'zero');
    expect(session.pageErrors).toEqual([]);
  });

  it('is one tab stop: the arrow keys move between countries with their figures, Enter opens one', async () => {
    await page.focus('#map-mode');
    await page.keyboard.press('Tab');
    const focused = () =>
      page.evaluate(() => (document.activeElement as SVGElement | null)?.dataset?.cc ?? null);
    expect(await focused()).not.toBeNull();
    expect(await page.locator('#world-map .map-mark[tabindex="0"]').count()).toBe(1);
    const tooltip = page.locator('#world-map .map-tooltip');
    await tooltip.waitFor({ state: 'visible', timeout: WAIT_MS });

    await page.focus(mark('FR'));
    expect(await textOf(page, '#world-map .map-tooltip-name')).toBe('France');
    expect(await textOf(page, '#world-map .map-tooltip-status')).toMatch(/^Reported 0 · every figure/);
    await page.keyboard.press('ArrowLeft');
    const west = (await focused()) ?? '';
    expect(longitude(west)).toBeLessThan(longitude('FR'));
    expect(await page.getAttribute(mark(west), 'tabindex')).toBe('0');
    expect(await page.getAttribute(mark('FR'), 'tabindex')).toBe('-1');
    await page.keyboard.press('ArrowRight');
    expect(longitude((await focused()) ?? '')).toBeGreaterThan(longitude(west));
    await page.keyboard.press('Escape');
    await tooltip.waitFor({ state: 'hidden', timeout: WAIT_MS });

    await page.focus(mark('BR'));
    expect(await textOf(page, '#world-map .map-tooltip-name')).toBe('Brazil');
    expect(await page.getAttribute(mark('BR'), 'aria-describedby')).toBe(await tooltip.getAttribute('id'));
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#/countries/BR', undefined, { timeout: WAIT_MS });
    expect(session.pageErrors).toEqual([]);
  });
});
