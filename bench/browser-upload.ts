import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startLocalStack } from '../local/stack.ts';
import { launchChromium } from '../test/e2e/support/browser.ts';
import { syntheticOperation, syntheticReturn } from './synthetic.ts';

/**
 * `npx tsx bench/browser-upload.ts`: a 50 MB CSV return sent through the dashboard's "Send a
 * return" panel in headless Chromium on the local stack. Two runs:
 *
 * 1. liberterra-iii as shipped (25 MiB limit): what the agency sees when the file is too large;
 * 2. a synthetic operation whose limit admits it (120 days × 6 metrics × 2,400 districts): the dry
 *    run through a dry-run slot, the send with progress, the verdict and the receipt, timed.
 *
 * Prints what the page showed, with times from the click; writes bench-results/browser-upload.json.
 * The CSVs are generated into a temporary folder, never committed.
 */
const TARGET_BYTES = 50 * 1000 * 1000;

type Seen = { atMs: number; text: string };

/** Samples what the panel says (status, progress, error) until `done` resolves. */
async function watch(page: Page, done: Promise<unknown>): Promise<Seen[]> {
  const seen: Seen[] = [];
  const started = performance.now();
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  while (!finished) {
    const text = await page.evaluate(() =>
      ['send-status', 'send-progress-text', 'send-error']
        .map((id) => document.getElementById(id))
        .filter((n): n is HTMLElement => !!n && !n.hidden && !n.closest('[hidden]'))
        .map((n) => n.textContent?.trim() ?? '')
        .filter(Boolean)
        .join(' | '),
    );
    if (text && seen.at(-1)?.text !== text)
      seen.push({ atMs: Math.round(performance.now() - started), text });
    await new Promise((r) => setTimeout(r, 200));
  }
  await done;
  return seen;
}

async function signInAsAgency(page: Page, url: string, country: string): Promise<void> {
  await page.goto(url);
  await page.selectOption('#agency-select', country);
  await page.getByRole('button', { name: 'Sign in as this agency' }).click();
  await page.locator('#send').waitFor({ state: 'visible', timeout: 60_000 });
}

/** One file through the panel: dry run (or the offer to skip it), send, verdict, new figures. */
async function sendThroughPage(file: string, fileRows: number): Promise<Record<string, unknown>> {
  const fileBytes = (await stat(file)).size;
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  try {
    await signInAsAgency(page, `${stack.apiUrl}/?op=bench-upload`, 'BR');
    const t0 = performance.now();
    await page.setInputFiles('#send-input', file);
    // Either the dry run's verdict, or the offer to send without one (the check could not finish).
    const dryDone = page.waitForFunction(
      () =>
        /Would be/.test(document.getElementById('dry-verdict')?.textContent ?? '') ||
        !(document.getElementById('send-unchecked-wrap') as HTMLElement).hidden,
      undefined,
      { timeout: 600_000, polling: 200 },
    );
    const drySeen = await watch(page, dryDone);
    const dryMs = Math.round(performance.now() - t0);
    const unchecked = await page.isVisible('#send-unchecked-wrap');
    const dryVerdict = unchecked
      ? `no dry run: ${(await page.textContent('#send-error'))?.trim()}`
      : (await page.textContent('#dry-verdict'))?.trim();
    if (unchecked) await page.check('#send-unchecked');
    console.log(
      `bench-upload, ${fileBytes} bytes (${fileRows} rows): dry run "${dryVerdict}" after ${dryMs} ms`,
    );
    for (const s of drySeen) console.log(`  +${s.atMs} ms  ${s.text}`);

    const currentBefore = (await page.textContent('#current-from')) ?? '';
    const t1 = performance.now();
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const sendDone = page.locator('#receipt').waitFor({ state: 'visible', timeout: 600_000 });
    const sendSeen = await watch(page, sendDone);
    const totalMs = Math.round(performance.now() - t1);
    // No named functions inside: tsx would wrap them in a helper the page does not have.
    const [verdict, size, check, status, sentMs, verdictMs] = await page.evaluate(() => [
      ...['receipt-verdict', 'receipt-size', 'receipt-sha-check', 'send-status'].map(
        (id) => document.getElementById(id)?.textContent?.trim() ?? '',
      ),
      (document.getElementById('receipt') as HTMLElement).dataset.sentMs ?? '',
      (document.getElementById('receipt') as HTMLElement).dataset.verdictMs ?? '',
    ]);
    const receipt = { sentMs: Number(sentMs), verdictMs: Number(verdictMs), verdict, size, check, status };
    console.log(`send: ${JSON.stringify(receipt)} (receipt on screen ${totalMs} ms after the click)`);
    for (const s of sendSeen) console.log(`  +${s.atMs} ms  ${s.text}`);
    if (receipt.verdict === 'Accepted') {
      await page.waitForFunction(
        (before) => {
          const now = document.getElementById('current-from')?.textContent ?? '';
          return now !== '' && now !== before;
        },
        currentBefore,
        { timeout: 600_000 },
      );
    }
    const currentShownMs = Math.round(performance.now() - t1);
    console.log(`figures that count now shown ${currentShownMs} ms after the click`);
    await page.screenshot({
      path: join('test-results', 'e2e', `upload-${Math.round(fileBytes / 1e6)}mb-receipt.png`),
      fullPage: true,
    });
    return {
      fileBytes,
      rows: fileRows,
      dryRun: { ms: dryMs, verdict: dryVerdict, seen: drySeen },
      send: { ...receipt, receiptShownMs: totalMs, seen: sendSeen, currentFiguresShownMs: currentShownMs },
    };
  } finally {
    await page.close();
  }
}

const dataDir = await mkdtemp(join(tmpdir(), 'optally-bench-upload-'));
const opsDir = join(dataDir, 'operations');
await mkdir(opsDir);
await copyFile(join('operations', 'liberterra-iii.json'), join(opsDir, 'liberterra-iii.json'));
const synthetic = syntheticOperation('bench-upload', { days: 120, metrics: 6, units: 2400 });
await writeFile(join(opsDir, 'bench-upload.json'), JSON.stringify(synthetic));

// The largest full return of the synthetic operation: every cell, so every rule holds (~50 MB).
const rows = 120 * 6 * 2401;
const validCsv = join(dataDir, 'return-50mb.csv');
await writeFile(validCsv, syntheticReturn(synthetic, rows));
// About 24 MB: under liberterra-iii's 25 MiB limit (whole days × metrics, so every rule holds).
const mediumRows = 57 * 6 * 2401;
const mediumCsv = join(dataDir, 'return-24mb.csv');
await writeFile(mediumCsv, syntheticReturn(synthetic, mediumRows));
// For liberterra-iii: a return of the right shape, repeated up to 50 MB (it never leaves the page).
const tooLarge = join(dataDir, 'liberterra-50mb.csv');
const line = '2025-11-12,arrests,,1\n';
await writeFile(
  tooLarge,
  `date,metric,breakdown,value\n${line.repeat(Math.ceil(TARGET_BYTES / line.length))}`,
);

const stack = await startLocalStack({
  dataDir: join(dataDir, 'stack'),
  port: 0,
  quiet: true,
  operationsDir: opsDir,
});
const browser = await launchChromium();
const results: { date: string; shippedLimit?: unknown; admitted?: unknown[] } = {
  date: new Date().toISOString(),
};
try {
  // 1. The shipped operation refuses the file before anything is sent.
  {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await signInAsAgency(page, `${stack.apiUrl}/?op=liberterra-iii`, 'BR');
    const t0 = performance.now();
    await page.setInputFiles('#send-input', tooLarge);
    await page.locator('#send-error').waitFor({ state: 'visible' });
    const ms = Math.round(performance.now() - t0);
    const shown = (await page.textContent('#send-error'))?.trim();
    const stored = await stack.objects.list('incoming/liberterra-iii/BR/');
    results.shippedLimit = {
      fileBytes: (await stat(tooLarge)).size,
      refusedAfterMs: ms,
      shown,
      objectsStored: stored.length,
    };
    console.log(
      `liberterra-iii (25 MiB limit), ${(await stat(tooLarge)).size} bytes: after ${ms} ms the page says:\n  ${shown}\n  objects stored: ${stored.length}`,
    );
    await page.screenshot({ path: join('test-results', 'e2e', 'upload-50mb-refused.png') });
    await page.close();
  }

  // 2. An operation that admits them: a 24 MB file (under the shipped 25 MiB limit), then 50 MB.
  results.admitted = [];
  for (const [file, fileRows] of [
    [mediumCsv, mediumRows],
    [validCsv, rows],
  ] as const) {
    results.admitted.push(await sendThroughPage(file, fileRows));
  }
} finally {
  await browser.close();
  await stack.stop();
  await mkdir('bench-results', { recursive: true });
  await writeFile(join('bench-results', 'browser-upload.json'), `${JSON.stringify(results, null, 2)}\n`);
  await rm(dataDir, { recursive: true, force: true });
}
