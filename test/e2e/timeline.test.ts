import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import type { RollupHistoryPage, RollupView } from '../../shared/api/responses.ts';
import { aReturn } from '../support/builders.ts';
import { headline, textOf, WAIT_MS, waitForText } from './support/page-helpers.ts';
import { openSession, type Session } from './support/session.ts';

const OP = 'liberterra-iii';
const SCREENSHOTS = join('test-results', 'e2e');

type Version = RollupHistoryPage['versions'][number];

describe('the timeline and the page "as of" a past moment, on the local stack', () => {
  let session: Session;
  let stack: LocalStack;
  let page: Page;
  let pageErrors: string[];

  /** The API as a coordinator reads it (the figures the page must show are computed from it). */
  const read = async <T>(path: string): Promise<T> => {
    const answer = await fetch(`${stack.apiUrl}${path}`, {
      headers: { authorization: `Bearer ${stack.tokens.coordinator}` },
    });
    expect(answer.status).toBe(200);
    return (await answer.json()) as T;
  };
  const history = async (): Promise<Version[]> => {
    const versions: Version[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const found: RollupHistoryPage = await read(`/operations/${OP}/rollup/history?limit=2${query}`);
      versions.push(...found.versions);
      cursor = found.cursor;
    } while (cursor !== null);
    return versions;
  };
  const rollupAsOf = (at: string) =>
    read<RollupView>(`/operations/${OP}/rollup?asOf=${encodeURIComponent(at)}`);
  const live = () => read<RollupView>(`/operations/${OP}/rollup`);

  /** Uploads a return of `arrests` for a country and waits until the page shows `reported` countries. */
  const upload = async (country: string, arrests: number, reported: number) => {
    await stack.putReturn(
      `incoming/${OP}/${country}/timeline.csv`,
      aReturn().withRow('2025-11-13', 'arrests', arrests).csv(),
    );
    await waitForText(page, '#progress-count', `${reported} of 119 countries reported`);
    // Versions at least a second apart, so a moment typed to the second falls between two of them.
    await new Promise((resolve) => setTimeout(resolve, 1100));
  };
  const versionsOnPage = (n: number) =>
    page.waitForFunction(
      (count) => document.querySelectorAll('#timeline-version option').length === count,
      n,
      {
        timeout: WAIT_MS,
      },
    );
  const figuresShown = async () => ({
    arrests: await textOf(page, headline('arrests')),
    progress: await textOf(page, '#progress-count'),
  });
  const figuresOf = (rollup: { totals: RollupView['totals']; progress: { reported: number } }) => ({
    // A metric nobody has reported shows "—" with "not reported" for screen readers.
    arrests: rollup.totals.arrests === null ? '—not reported' : String(rollup.totals.arrests),
    progress: `${rollup.progress.reported} of 119 countries reported`,
  });

  beforeAll(async () => {
    session = await openSession('optally-e2e-timeline-');
    ({ stack, page, pageErrors } = session);
    await page.goto(stack.apiUrl);
    await page.getByRole('button', { name: 'Coordinator', exact: true }).click();
    await waitForText(page, '#progress-count', '0 of 119 countries reported');
    await upload('BR', 12, 1);
    await upload('KE', 5, 2);
    await upload('FR', 3, 3);
  });

  afterAll(async () => {
    await session?.close();
  });

  it('lists every version of the history, by time received, and says it is not by report date', async () => {
    const versions = await history();
    expect(versions.filter((v) => v.reported > 0).length).toBeGreaterThanOrEqual(3);

    await versionsOnPage(versions.length);
    const listed = await page.$$eval('#timeline-version option', (options) =>
      options.map((o) => Number((o as HTMLOptionElement).dataset.version)),
    );
    expect(listed).toEqual(versions.map((v) => v.version).reverse());
    expect(await textOf(page, '#timeline-title')).toContain('by time received');
    expect(await textOf(page, '#timeline-explain')).toContain('not the date the figures report on');
    expect(await page.getAttribute('#timeline-chart', 'aria-label')).toContain(`${versions.length} versions`);
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.locator('#timeline').screenshot({ path: join(SCREENSHOTS, 'timeline.png') });
  });

  it('shows the whole page as it stood at an earlier version, chosen from the keyboard, polling paused', async () => {
    const versions = await history();
    const earlier = versions.find((v) => v.reported === 1)!;
    const expected = await rollupAsOf(earlier.at);
    expect(expected.version).toBe(earlier.version);

    await page.focus('#timeline-version');
    await page.selectOption('#timeline-version', earlier.at);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');

    await page.waitForSelector('#as-of-banner:not([hidden])', { timeout: WAIT_MS });
    await waitForText(page, '#progress-count', figuresOf(expected).progress);
    expect(await figuresShown()).toEqual(figuresOf(expected));
    expect(await textOf(page, '#as-of-banner')).toMatch(
      /^You are looking at the figures as they stood at .+Back to live$/,
    );
    expect(await page.getAttribute('#as-of-time', 'datetime')).toBe(earlier.at);
    expect(new URL(page.url()).searchParams.get('asOf')).toBe(earlier.at);
    expect(await page.getAttribute('#live-state', 'data-state')).toBe('paused');
    await page.screenshot({ path: join(SCREENSHOTS, 'timeline-as-of.png'), fullPage: true });
  });

  it('shows the figures current at a moment typed between two versions', async () => {
    const versions = (await history()).filter((v) => v.reported > 0);
    const [, second, third] = versions as [Version, Version, Version];
    // The whole second after the second version: still before the third (a second or more later).
    const moment = new Date(Math.ceil(Date.parse(second.at) / 1000) * 1000).toISOString();
    expect(Date.parse(moment)).toBeLessThan(Date.parse(third.at));
    const expected = await rollupAsOf(moment);
    expect(expected.version).toBe(second.version);
    expect(figuresOf(expected)).not.toEqual(figuresOf(await live()));

    const typed = await page.evaluate((iso) => {
      const d = new Date(iso);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    }, moment);
    await page.fill('#timeline-moment', typed);
    await page.getByRole('button', { name: 'Show as of this moment' }).click();

    await page.waitForFunction(
      (at) => document.getElementById('as-of-time')?.getAttribute('datetime') === at,
      moment,
      {
        timeout: WAIT_MS,
      },
    );
    await waitForText(page, '#progress-count', figuresOf(expected).progress);
    expect(await figuresShown()).toEqual(figuresOf(expected));
  });

  it('goes back to live: the current figures, the banner gone, the address without asOf', async () => {
    await page.getByRole('button', { name: 'Back to live' }).click();

    const current = await live();
    await waitForText(page, '#progress-count', figuresOf(current).progress);
    expect(await figuresShown()).toEqual(figuresOf(current));
    expect(await page.isHidden('#as-of-banner')).toBe(true);
    expect(new URL(page.url()).searchParams.has('asOf')).toBe(false);
    await page.waitForFunction(() => document.getElementById('live-state')?.dataset.state === 'live', null, {
      timeout: WAIT_MS,
    });
  });

  it('switches to the moment of a point clicked on the chart', async () => {
    const versions = await history();
    const chart = page.locator('#timeline-chart');
    const box = (await chart.boundingBox())!;
    // Left of every point: the nearest along the time axis is the first version.
    await chart.click({ position: { x: 90, y: box.height / 2 } });

    const first = versions[0]!;
    await page.waitForFunction(
      (at) => document.getElementById('as-of-time')?.getAttribute('datetime') === at,
      first.at,
      { timeout: WAIT_MS },
    );
    expect(await figuresShown()).toEqual(figuresOf(await rollupAsOf(first.at)));
    await page.getByRole('button', { name: 'Back to live' }).click();
    await page.waitForSelector('#as-of-banner', { state: 'hidden', timeout: WAIT_MS });
  });

  it('opens a deep link "as of" a moment, stays there while returns arrive, and back to live shows them', async () => {
    const versions = await history();
    const earlier = versions.find((v) => v.reported === 1)!;
    const expected = await rollupAsOf(earlier.at);
    const url = new URL(page.url());
    url.searchParams.set('asOf', earlier.at);

    await page.goto(url.href);
    await page.waitForSelector('#as-of-banner:not([hidden])', { timeout: WAIT_MS });
    await waitForText(page, '#progress-count', figuresOf(expected).progress);

    await stack.putReturn(`incoming/${OP}/AR/late.csv`, aReturn().withRow('2025-11-13', 'arrests', 7).csv());
    await expect
      .poll(async () => (await live()).progress.reported, { timeout: WAIT_MS, interval: 200 })
      .toBe(4);
    expect(await figuresShown()).toEqual(figuresOf(expected));

    await page.focus('#back-to-live');
    await page.keyboard.press('Enter');
    const current = await live();
    await waitForText(page, '#progress-count', '4 of 119 countries reported');
    expect(await figuresShown()).toEqual(figuresOf(current));
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('timeline-title');
    await versionsOnPage((await history()).length);
    expect(pageErrors).toEqual([]);
  });
});
