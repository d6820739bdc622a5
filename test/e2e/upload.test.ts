import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import { aReturn } from '../support/builders.ts';
import { textOf, WAIT_MS, waitForText } from './support/page-helpers.ts';
import { openSession, type Session } from './support/session.ts';

const OP = 'liberterra-iii';
const SCREENSHOTS = join('test-results', 'e2e');

/** Drops a file on the "Send a return" panel, as a user dragging it from their desktop would. */
async function dropFile(page: Page, name: string, text: string, type = 'text/csv'): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ([n, t, ty]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([t], n, { type: ty }));
      return dt;
    },
    [name, text, type] as const,
  );
  await page.dispatchEvent('#send-drop', 'drop', { dataTransfer });
}

async function signInAsAgency(page: Page, stack: LocalStack, country: string): Promise<void> {
  await page.goto(stack.apiUrl);
  await page.selectOption('#agency-select', country);
  await page.getByRole('button', { name: 'Sign in as this agency' }).click();
  await page.locator('#send').waitFor({ state: 'visible', timeout: WAIT_MS });
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#sign-in').waitFor({ state: 'visible', timeout: WAIT_MS });
}

/** The cells of the "what would change" row of a metric: now, after, added, changed, disappearing. */
async function changeRow(page: Page, metric: string): Promise<string[]> {
  return (await page.locator(`#changes-body tr[data-metric="${metric}"] td`).allTextContents()).map((t) =>
    t.trim(),
  );
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('an agency sends its return from the browser (local stack)', () => {
  let session: Session;
  let stack: LocalStack;
  let page: Page;
  let pageErrors: string[];

  // What counts for Brazil before the page sends anything: 12 and 13 November.
  const before = aReturn()
    .withRow('2025-11-12', 'arrests', 12)
    .withRow('2025-11-13', 'arrests', 8)
    .withRow('2025-11-13', 'officers_deployed', 140)
    .csv();
  // The correction the agency sends: 12 November is missing from it, 13 changes, 14 is new.
  const correction = aReturn()
    .withRow('2025-11-13', 'arrests', 9)
    .withRow('2025-11-13', 'officers_deployed', 140)
    .withRow('2025-11-14', 'arrests', 6)
    .csv();

  beforeAll(async () => {
    session = await openSession('optally-upload-e2e-');
    ({ stack, page, pageErrors } = session);
    await stack.putReturn(`incoming/${OP}/BR/first.csv`, before);
    await stack.settled();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('has the local S3 API answer the dashboard’s upload preflight, and no other origin’s', async () => {
    const preflight = (origin: string, method: string) =>
      fetch(`${stack.s3Endpoint}/${stack.bucket}`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': method },
      });

    const dashboard = await preflight(stack.apiUrl, 'POST');
    const elsewhere = await preflight('https://elsewhere.example', 'POST');
    const put = await preflight(stack.apiUrl, 'PUT');

    expect(dashboard.status).toBe(200);
    expect(dashboard.headers.get('access-control-allow-methods')).toBe('POST');
    expect(elsewhere.status).toBe(403);
    expect(put.status).toBe(403);
  });

  it('shows a signed-in agency the figures that count for it now', async () => {
    await signInAsAgency(page, stack, 'BR');

    await page.locator('#current-body tr[data-metric="arrests"]').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('#current-body tr[data-metric="arrests"] td').allTextContents()).toEqual([
      '20',
      '2',
      'Nov 13',
    ]);
    expect(await textOf(page, '#current-from')).toMatch(/^From your file received /);
    expect(await page.locator('#submissions-body tr').count()).toBe(1);
  });

  it('offers the CLI built beside the dashboard, with the SHA-256 of the very file it serves', async () => {
    const built = existsSync(join('cli', 'dist', 'optally.mjs'));
    if (!built) {
      // The web build staged nothing: the page offers no link rather than a broken one.
      expect(await page.isVisible('#cli-download')).toBe(false);
      return;
    }
    await page.locator('#cli-download').waitFor({ state: 'visible', timeout: WAIT_MS });
    const href = (await page.getAttribute('#cli-link', 'href')) ?? '';
    const served = await page.evaluate(async (url) => {
      const bytes = await (await fetch(url)).arrayBuffer();
      const digest = await crypto.subtle.digest('SHA-256', bytes);
      return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    }, href);
    expect(await textOf(page, '#cli-sha')).toBe(served);
    expect(served).toBe(
      createHash('sha256')
        .update(readFileSync(join('cli', 'dist', 'optally.mjs')))
        .digest('hex'),
    );
    expect(await textOf(page, '#cli-link')).toMatch(/^Get the CLI \(optally \S+, [\d.]+ [KM]B\)$/);
  });

  it('lists the problems a dry run finds, row, column, value and hint, and offers no plain Send', async () => {
    await dropFile(
      page,
      'broken.csv',
      aReturn().withRow('2025-11-13', 'arrests', 9).withRow('2025-12-01', 'arrests', 4).csv(),
    );

    await waitForText(page, '#dry-verdict', 'Would be rejected');
    const problem = page.locator('#dry-problems-body tr[data-code="date-outside-window"] td');
    expect((await problem.allTextContents()).map((t) => t.trim())).toEqual([
      '3',
      'date',
      '2025-12-01',
      expect.stringMatching(/^Error /),
      expect.stringMatching(/2025-11-10.*2025-11-21/),
    ]);
    expect(await page.isDisabled('#send-button')).toBe(true);
    expect(await page.isVisible('#send-anyway-wrap')).toBe(true);
  });

  it('dry-runs a dropped file and shows what would change, a day that would disappear first of all', async () => {
    await dropFile(page, 'correction.csv', correction);

    await waitForText(page, '#dry-verdict', 'Would be accepted');
    expect(await textOf(page, '#changes-warning')).toMatch(
      /would remove a day you reported before: Nov 12\./,
    );
    expect(await changeRow(page, 'arrests')).toEqual(['20', '15', 'Nov 14', 'Nov 13', 'Nov 12']);
    expect(await changeRow(page, 'officers_deployed')).toEqual(['140', '140', '—', '—', '—']);
    expect(await page.isDisabled('#send-button')).toBe(false);
    // Nothing was sent: the figures that count are still the old ones.
    expect((await stack.repo.getCountry(OP, 'BR'))?.figures.totals.arrests).toBe(20);

    await mkdir(SCREENSHOTS, { recursive: true });
    await page.locator('#send').screenshot({ path: join(SCREENSHOTS, 'upload-dry-run.png') });
  });

  it('sends it, waits for the verdict and shows the receipt, its SHA-256 checked, and the new figures', async () => {
    await page.getByRole('button', { name: 'Send', exact: true }).click();

    await page.locator('#receipt').waitFor({ state: 'visible', timeout: WAIT_MS });
    expect(await textOf(page, '#receipt-verdict')).toBe('Accepted');
    expect(await textOf(page, '#receipt-sha-browser')).toBe(sha256(correction));
    expect(await textOf(page, '#receipt-sha-server')).toBe(sha256(correction));
    expect(await textOf(page, '#receipt-sha-check')).toBe('Matches: storage received exactly this file.');
    const uploadId = await textOf(page, '#receipt-upload');
    expect(uploadId).toMatch(/^\S+$/);
    expect(await textOf(page, '#receipt-size')).toContain(`${Buffer.byteLength(correction)} bytes`);
    await page.waitForFunction(() =>
      (document.getElementById('receipt-report') as HTMLAnchorElement).href.startsWith('blob:'),
    );
    expect(await page.getAttribute('#receipt-report', 'download')).toBe(`${uploadId}-report.txt`);
    expect(await page.isDisabled('#send-button')).toBe(true);

    await waitForText(page, '#current-body tr[data-metric="arrests"] td:first-of-type', '15');
    expect(await page.locator('#current-body tr[data-metric="arrests"] td').allTextContents()).toEqual([
      '15',
      '2',
      'Nov 14',
    ]);
    const stored = await stack.objects.list(`incoming/${OP}/BR/${uploadId}/`);
    expect(stored.map((o) => o.key)).toEqual([`incoming/${OP}/BR/${uploadId}/correction.csv`]);
    await page.locator('#submissions-body tr', { hasText: 'correction.csv' }).waitFor({ timeout: WAIT_MS });

    await page.screenshot({ path: join(SCREENSHOTS, 'upload-receipt.png'), fullPage: true });
  });

  it('leaves nothing stored and nothing counted when the upload to storage breaks off', async () => {
    await page.route(`${stack.s3Endpoint}/**`, (route) =>
      route.request().method() === 'POST' ? route.abort('connectionreset') : route.continue(),
    );
    const retry = aReturn().withRow('2025-11-13', 'arrests', 50).withRow('2025-11-14', 'arrests', 50).csv();
    await dropFile(page, 'retry.csv', retry);
    await waitForText(page, '#dry-verdict', 'Would be accepted');

    await page.getByRole('button', { name: 'Send', exact: true }).click();

    await page.locator('#send-error').waitFor({ state: 'visible', timeout: WAIT_MS });
    expect(await textOf(page, '#send-error')).toMatch(
      /^Sending failed: The connection to storage broke off before the file was stored\. Storage kept nothing of it, so nothing counts \(upload \S+ stays unused, and shows as abandoned once its slot has expired\)\. Send it again\.$/,
    );
    await page.unroute(`${stack.s3Endpoint}/**`);
    await stack.settled();
    expect((await stack.repo.getCountry(OP, 'BR'))?.figures.totals.arrests).toBe(15);
    const keys = (await stack.objects.list(`incoming/${OP}/BR/`)).map((o) => o.key);
    expect(keys.some((k) => k.endsWith('/retry.csv'))).toBe(false);
    // The slot says what happened: no file yet (abandoned once it has expired: see the integration tests).
    const uploadId = await textOf(page, '#receipt-upload');
    const slot = await page.evaluate(
      async ([op, id]) => {
        const token = sessionStorage.getItem('optally.token') ?? '';
        const response = await fetch(`/operations/${op}/uploads/${id}`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        return (await response.json()) as { state: string; receipt: unknown };
      },
      [OP, uploadId] as const,
    );
    expect(slot).toMatchObject({ state: 'waiting', receipt: null });
  });

  it('offers to send without a dry run when the check cannot finish in time, and the verdict follows', async () => {
    // What API Gateway answers when the function outlasts its 30 s integration timeout.
    await page.route('**/operations/*/validate*', (route) =>
      route.fulfill({
        status: 504,
        contentType: 'application/json',
        body: '{"message":"Service Unavailable"}',
      }),
    );
    const large = aReturn().withRow('2025-11-13', 'arrests', 9).withRow('2025-11-14', 'arrests', 7).csv();
    await dropFile(page, 'large.csv', large);

    await page.locator('#send-unchecked-wrap').waitFor({ state: 'visible', timeout: WAIT_MS });
    expect(await textOf(page, '#send-error')).toMatch(
      /^The dry run could not finish: Service Unavailable Nothing was sent\. You can send the file without a dry run/,
    );
    expect(await page.isDisabled('#send-button')).toBe(true);
    await page.check('#send-unchecked');
    await page.getByRole('button', { name: 'Send', exact: true }).click();

    await page.locator('#receipt').waitFor({ state: 'visible', timeout: WAIT_MS });
    expect(await textOf(page, '#receipt-verdict')).toBe('Accepted');
    expect(await textOf(page, '#receipt-sha-server')).toBe(sha256(large));
    await page.unroute('**/operations/*/validate*');
    await waitForText(page, '#current-body tr[data-metric="arrests"] td:first-of-type', '16');
  });

  it('refuses an agency a slot for another country before anything is stored', async () => {
    const answer = await page.evaluate(async (op) => {
      const token = sessionStorage.getItem('optally.token') ?? '';
      const response = await fetch(`/operations/${op}/uploads`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ country: 'FR', fileName: 'fr.csv' }),
      });
      return { status: response.status, body: (await response.json()) as { error: string } };
    }, OP);

    expect(answer).toEqual({ status: 403, body: expect.objectContaining({ error: 'forbidden' }) });
    expect(await stack.objects.list(`incoming/${OP}/FR/`)).toEqual([]);
  });

  it('keeps a rejected file an agency sends anyway, and a coordinator sees it in the ledger', async () => {
    await signOut(page);
    // An answer the API cannot give (on AWS, a country item above a Lambda response's 6 MB) leaves
    // the rest of the agency's page working.
    await page.route('**/operations/*/countries/KE?*', (route) =>
      route.fulfill({
        status: 502,
        contentType: 'application/json',
        body: '{"message":"Internal Server Error"}',
      }),
    );
    await signInAsAgency(page, stack, 'KE');
    await waitForText(
      page,
      '#current-none',
      'The figures that count for you now cannot be shown: Internal Server Error',
    );
    await page.locator('#submissions-empty').waitFor({ state: 'visible', timeout: WAIT_MS });
    await page.unroute('**/operations/*/countries/KE?*');
    // Kenya's agency sends a file whose rows say France.
    const wrongCountry = aReturn().withRow('2025-11-13', 'arrests', 4).csv({ country: 'FR' });
    await dropFile(page, 'kenya-or-france.csv', wrongCountry);
    await waitForText(page, '#dry-verdict', 'Would be rejected');
    expect(await page.locator('#dry-problems-body tr[data-code="country-mismatch"]').count()).toBeGreaterThan(
      0,
    );

    await page.check('#send-anyway');
    await page.getByRole('button', { name: 'Send', exact: true }).click();

    await page.locator('#receipt').waitFor({ state: 'visible', timeout: WAIT_MS });
    expect(await textOf(page, '#receipt-verdict')).toBe('Rejected');
    expect(await textOf(page, '#receipt-sha-server')).toBe(sha256(wrongCountry));
    expect(await stack.repo.getCountry(OP, 'KE')).toBeNull();

    await signOut(page);
    await page.getByRole('button', { name: 'Coordinator', exact: true }).click();
    await page.locator('#ledger-section').waitFor({ state: 'visible', timeout: WAIT_MS });
    await page.selectOption('#ledger-verdict', 'rejected');
    const row = page.locator('#ledger-body tr', { hasText: 'kenya-or-france.csv' });
    await row.waitFor({ timeout: WAIT_MS });
    expect(await row.locator('.pill').textContent()).toBe('Rejected');
    expect(await row.textContent()).toContain('Kenya');
    await page
      .locator('#ledger-section')
      .screenshot({ path: join(SCREENSHOTS, 'upload-rejected-ledger.png') });
    expect(pageErrors).toEqual([]);
  });
});
