import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type LocalStack, startLocalStack } from '../../../local/stack.ts';
import { launchChromium, watchForPageErrors } from './browser.ts';

/** A fresh local stack in a temporary folder, a headless Chromium and one page watched for errors. */
export type Session = {
  stack: LocalStack;
  browser: Browser;
  page: Page;
  pageErrors: string[];
  close: () => Promise<void>;
};

/** Starts a session; `close` stops the browser and the stack and removes the folder. */
export async function openSession(prefix: string): Promise<Session> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  const stack = await startLocalStack({ dataDir, port: 0, quiet: true });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  return {
    stack,
    browser,
    page,
    pageErrors: watchForPageErrors(page),
    close: async () => {
      await browser.close();
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
