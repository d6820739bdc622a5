import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import type { LedgerPage } from '../../web/src/api-types.ts';
import { formatBytes } from '../../web/src/format.ts';
import { aReturn } from '../support/builders.ts';
import { watchForPageErrors } from './support/browser.ts';
import { textOf, WAIT_MS, waitForText } from './support/page-helpers.ts';
import { openSession, type Session } from './support/session.ts';

const OP = 'liberterra-iii';
const SCREENSHOTS = join('test-results', 'e2e');

/**
 * The audit trail in the browser, on the real local stack: returns uploaded (one rejected, one
 * superseded), the operation closed and finalised through the API by an admin, then an auditor
 * reads the manifest digest, downloads the CSV export and reads the submission ledger.
 */
describe('final figures and the submission ledger on the local stack', () => {
  let session: Session;
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  /** The digest the API gives for the final figures (`x-manifest-sha256`). */
  let apiDigest: string;
  let apiCsv: string;

  const call = (method: 'GET' | 'POST', path: string, token: string, body?: unknown) =>
    fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const upload = async (country: string, name: string, csv: string) => {
    await stack.putReturn(`incoming/${OP}/${country}/${name}`, csv);
    await stack.settled();
  };
  const rowOf = (file: string) => `#ledger-body tr:has(th.file:text-is("${file}"))`;

  beforeAll(async () => {
    session = await openSession('optally-e2e-audit-');
    ({ stack, browser, page, pageErrors } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  it('takes returns (one superseded, one rejected), then closes and finalises through the API', async () => {
    await upload('BR', 'first.csv', aReturn().withRow('2025-11-12', 'arrests', 10).csv());
    await upload(
      'BR',
      'second.csv',
      aReturn().withRow('2025-11-12', 'arrests', 12).withRow('2025-11-13', 'arrests', 8).csv(),
    );
    await upload('KE', 'week-1.csv', aReturn().withRow('2025-11-14', 'arrests', 5).csv());
    await upload('KE', 'broken.csv', aReturn().withRow('2025-11-12', 'arests', 4).csv());
    await upload('FR', 'zero.csv', aReturn().withRow('2025-11-12', 'arrests', 0).csv());

    expect(
      (await call('POST', `/operations/${OP}/status`, stack.tokens.admin, { status: 'closed' })).status,
    ).toBe(200);
    const finalised = await call('POST', `/operations/${OP}/status`, stack.tokens.admin, { status: 'final' });
    expect(finalised.status).toBe(200);
    const { manifestSha256 } = (await finalised.json()) as { manifestSha256: string };

    const csv = await call('GET', `/operations/${OP}/final?format=csv`, stack.tokens.auditor);
    expect(csv.status).toBe(200);
    apiDigest = csv.headers.get('x-manifest-sha256') ?? '';
    apiCsv = await csv.text();
    expect(apiDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(apiDigest).toBe(manifestSha256);
  });

  it('shows an auditor the digest the API gives, with the status, definition hash and validator', async () => {
    await page.goto(stack.apiUrl);
    await page.getByRole('button', { name: 'Auditor', exact: true }).click();
    await page.waitForSelector('#final-section', { state: 'visible', timeout: WAIT_MS });

    expect(await textOf(page, '#final-digest')).toBe(apiDigest);
    expect(await textOf(page, '#final-status')).toBe('Final');
    expect(await textOf(page, '#final-definition')).toMatch(/^[0-9a-f]{64}$/);
    expect(await textOf(page, '#final-validator')).not.toBe('');
    expect(await textOf(page, '#final-coverage')).toBe('3 of 119 countries');
  });

  it('shows the signing key, the ledger root and the public key an outsider checks with', async () => {
    const final = (await (await call('GET', `/operations/${OP}/final`, stack.tokens.auditor)).json()) as {
      manifest: { ledger: { root: string; size: number } };
      signature: { keyId: string };
    };
    const key = (await (await fetch(`${stack.apiUrl}/operations/${OP}/final/public-key`)).json()) as {
      pem: string;
    };

    expect(await textOf(page, '#final-key-id')).toBe(final.signature.keyId);
    expect(await textOf(page, '#final-ledger-root')).toBe(final.manifest.ledger.root);
    await page.click('#final-public-key-details summary');
    expect((await textOf(page, '#final-public-key')).trim()).toBe(key.pem.trim());
  });

  it('lists the file that counts for each country, its full SHA-256 behind the short one', async () => {
    const ledger = (await (
      await call('GET', `/operations/${OP}/ledger`, stack.tokens.auditor)
    ).json()) as LedgerPage;
    const shaOf = (file: string) => ledger.entries.find((e) => e.key.endsWith(`/${file}`))?.sha256 ?? '';

    const rows = await page.$$eval('#provenance-body tr', (trs) =>
      trs.map((tr) => {
        const cells = Array.from((tr as HTMLTableRowElement).cells);
        return {
          country: cells[0]?.textContent,
          file: cells[1]?.textContent,
          short: cells[2]?.querySelector('[aria-hidden="true"]')?.textContent,
          full: cells[2]?.querySelector('code')?.getAttribute('title'),
          received: cells[3]?.querySelector('time')?.getAttribute('datetime'),
          accepted: cells[4]?.querySelector('time')?.getAttribute('datetime'),
        };
      }),
    );

    expect(rows.map((r) => [r.country, r.file])).toEqual([
      ['Brazil BR', 'second.csv'],
      ['France FR', 'zero.csv'],
      ['Kenya KE', 'week-1.csv'],
    ]);
    for (const r of rows) {
      expect(r.full).toBe(shaOf(r.file ?? ''));
      expect(r.short).toBe(`${r.full?.slice(0, 12)}…`);
      expect(Date.parse(r.accepted ?? '')).toBeGreaterThanOrEqual(Date.parse(r.received ?? ''));
    }
  });

  it('downloads the CSV export with the token: the file carries the same digest in every row', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: WAIT_MS }),
      page.getByRole('button', { name: 'Download CSV', exact: true }).click(),
    ]);

    expect(download.suggestedFilename()).toBe(`${OP}-final.csv`);
    const text = await readFile((await download.path())!, 'utf8');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(3);
    expect(new Set(rows.map((r) => r.manifest_sha256))).toEqual(new Set([apiDigest]));
    expect(text).toBe(apiCsv);
    await waitForText(
      page,
      '#download-status',
      `Downloaded ${OP}-final.csv (${formatBytes(Buffer.byteLength(text))}).`,
    );
  });

  it('lists every upload in the ledger — the rejected and the superseded one included — and filters it', async () => {
    await page.waitForSelector('#ledger-section', { state: 'visible', timeout: WAIT_MS });
    await waitForText(page, '#ledger-count', 'Showing all 5 entries.');
    const verdict = async (file: string) => [
      await textOf(page, `${rowOf(file)} .pill`),
      await textOf(page, `${rowOf(file)} td.note`),
    ];

    expect(await verdict('broken.csv')).toEqual(['Rejected', 'Not counted: 1 error']);
    expect(await verdict('first.csv')).toEqual(['Superseded', 'Not counted: replaced by second.csv']);
    expect(await verdict('second.csv')).toEqual(['Accepted', 'Counts in the figures']);
    expect(await page.getAttribute(`${rowOf('broken.csv')} .pill`, 'data-status')).toBe('rejected');

    await page.selectOption('#ledger-verdict', 'rejected');
    await waitForText(page, '#ledger-count', 'Showing all 1 entry.');
    expect(await page.locator('#ledger-body th.file').allTextContents()).toEqual(['broken.csv']);

    // A file sent after finalisation is kept and rejected; Refresh brings it in.
    await upload('KE', 'late.csv', aReturn().withRow('2025-11-14', 'arrests', 500).csv());
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await waitForText(page, '#ledger-count', 'Showing all 2 entries.');
    expect((await page.locator('#ledger-body th.file').allTextContents()).sort()).toEqual([
      'broken.csv',
      'late.csv',
    ]);

    await page.selectOption('#ledger-verdict', '');
    await page.selectOption('#ledger-country', 'KE');
    await waitForText(page, '#ledger-count', 'Showing all 3 entries.');
    expect((await page.locator('#ledger-body th.file').allTextContents()).sort()).toEqual([
      'broken.csv',
      'late.csv',
      'week-1.csv',
    ]);
    await page.selectOption('#ledger-country', '');
    await waitForText(page, '#ledger-count', 'Showing all 6 entries.');
  });

  it('saves a screenshot of the auditor’s view', async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.locator('#final-section').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'auditor.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('shows a coordinator the final figures and the ledger, rejected uploads of every country included', async () => {
    const coordinator = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      const errors = watchForPageErrors(coordinator);
      await coordinator.goto(stack.apiUrl);
      await coordinator.getByRole('button', { name: 'Coordinator', exact: true }).click();
      await coordinator.waitForSelector('#final-section', { state: 'visible', timeout: WAIT_MS });
      expect(await textOf(coordinator, '#final-digest')).toBe(apiDigest);
      await coordinator.waitForSelector('#ledger-section', { state: 'visible', timeout: WAIT_MS });
      await coordinator.selectOption('#ledger-verdict', 'rejected');
      await waitForText(coordinator, '#ledger-count', 'Showing all 2 entries.');
      expect((await coordinator.locator('#ledger-body th.file').allTextContents()).sort()).toEqual([
        'broken.csv',
        'late.csv',
      ]);
      expect(errors).toEqual([]);
    } finally {
      await coordinator.close();
    }
  });
});
