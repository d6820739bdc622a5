import { request } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxEntry } from '../../local/mail-server.ts';
import { smtpMailSender } from '../../shared/adapters/mail.ts';
import { launchChromium, watchForPageErrors } from '../e2e/support/browser.ts';
import { freshStack } from '../support/local-servers.ts';

/**
 * GET /local/mail on a fresh local stack, read in a real headless Chromium: the messages its SMTP
 * server received (sent to it here over SMTP, as the notifier sends), newest first, each readable.
 */
describe('the local mail page', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let browser: Browser;

  /** A GET with the Host header as given (fetch would not let a test set it). */
  const getWithHost = (path: string, host: string): Promise<{ status: number; body: string }> =>
    new Promise((ok, fail) => {
      request(new URL(path, stack.apiUrl), { headers: { host } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
      })
        .on('error', fail)
        .end();
    });

  beforeAll(async () => {
    stack = await freshStack();
    browser = await launchChromium();
    const send = smtpMailSender({ host: '127.0.0.1', port: stack.mail.port });
    await send({
      from: 'optally@localhost',
      to: 'ncb-fr@mail-page.example.org',
      subject: 'Rappel : votre déclaration est attendue',
      text: 'Bonjour,\nla déclaration de la France n’est pas encore arrivée.\n<script>alert(1)</script>',
    });
    await send({
      from: 'optally@localhost',
      to: 'centre@mail-page.example.org',
      subject: 'Synthèse <b>du jour</b>',
      text: 'Ont déclaré : 1 sur 3.',
    });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.dispose();
  });

  it('lists the messages received, newest first, and opens one with its text', async () => {
    const page = await browser.newPage();
    const errors = watchForPageErrors(page);

    await page.goto(`${stack.apiUrl}/local/mail`);
    const rows = page.locator('tbody tr');
    const subjects = await rows.locator('td:nth-child(4)').allTextContents();
    await rows.nth(1).locator('a').click();

    expect(subjects).toEqual(['Synthèse <b>du jour</b>', 'Rappel : votre déclaration est attendue']);
    await expect
      .poll(() => page.locator('pre').textContent())
      .toContain('la déclaration de la France n’est pas encore arrivée.\n<script>alert(1)</script>');
    expect(await page.locator('dd').allTextContents()).toContain('ncb-fr@mail-page.example.org');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('speaks the browser’s language, right to left in Arabic', async () => {
    const context = await browser.newContext({ locale: 'ar' });
    const page = await context.newPage();

    await page.goto(`${stack.apiUrl}/local/mail`);

    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await page.locator('h1').textContent()).toBe('البريد الذي استقبله خادم SMTP المحلي');
    expect(await page.locator('th').first().textContent()).toBe('وقت الاستلام');
    await context.close();
  });

  it('gives the list as JSON, newest first, as the index records it', async () => {
    const res = await fetch(`${stack.apiUrl}/local/mail?format=json`);
    const { messages } = (await res.json()) as { messages: MailboxEntry[] };

    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(messages.map((m) => m.to)).toEqual([
      ['centre@mail-page.example.org'],
      ['ncb-fr@mail-page.example.org'],
    ]);
  });

  it('reads only the messages its index lists: another name is a 404 saying so', async () => {
    for (const id of ['../jwt-secret', 'index.jsonl', 'nothing.eml']) {
      const res = await fetch(`${stack.apiUrl}/local/mail?id=${encodeURIComponent(id)}`);

      expect(res.status, id).toBe(404);
      // The id is shown HTML-escaped.
      expect(await res.text()).toContain(`There is no message &#34;${id}&#34; in the local mailbox.`);
    }
  });

  it('answers only requests for its own address (403 to DNS rebinding)', async () => {
    const port = new URL(stack.apiUrl).port;

    expect((await getWithHost('/local/mail', `localhost:${port}`)).status).toBe(200);
    expect((await getWithHost('/local/mail', `evil.example:${port}`)).status).toBe(403);
    expect((await getWithHost('/local/mail?format=json', 'evil.example')).status).toBe(403);
  });
});
