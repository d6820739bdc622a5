import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollupVersion } from '../../shared/domain/rollup.ts';
import { liberterraIII } from '../support/builders.ts';
import { freshStack } from '../support/local-servers.ts';
import { storedRollup } from './inject.ts';

/**
 * Invariants 2 and 4 under an outage: the DynamoDB server goes away for 10 s in the middle of all
 * 119 countries uploading at once. Ingests fail meanwhile and the queue retries them with its
 * backoff (1, 2, 4, 8 s between the 5 receives, the local stack's defaults); once the server is
 * back, every upload is counted exactly once and nothing is in the dead-letter queue.
 */

type Stack = Awaited<ReturnType<typeof freshStack>>;
const OP = 'liberterra-iii';
const OUTAGE_MS = 10_000;

const participants = liberterraIII().participants.map((p) => p.code);
// Each country reports a figure of its own, so a lost or doubled upload shows in the total.
const arrests = new Map(participants.map((cc, i) => [cc, 100 + i]));

/**
 * Starts all 119 uploads at once and, once some countries are counted, takes the DynamoDB server
 * down for `outageMs`; resolves when it is back. Returns how many countries were counted before.
 */
async function burstWithOutage(stack: Stack, outageMs: number): Promise<number> {
  const uploads = Promise.all(
    participants.map((cc) =>
      stack.putReturn(
        `incoming/${OP}/${cc}/return.csv`,
        `date,metric,value\n2025-11-12,arrests,${arrests.get(cc)}\n`,
      ),
    ),
  );
  let counted = 0;
  while (counted < 10) {
    await new Promise((ok) => setTimeout(ok, 10));
    counted = (await storedRollup(stack, OP))?.progress.reported ?? 0;
  }
  await stack.faults.stopDynamo();
  const down = performance.now();
  await uploads;
  await new Promise((ok) => setTimeout(ok, outageMs - (performance.now() - down)));
  await stack.faults.startDynamo();
  return counted;
}

/** Every country counted once, with its own figure, and every submission accepted. */
async function expectEachUploadCountedOnce(stack: Stack): Promise<void> {
  const rollup = await storedRollup(stack, OP);
  expect(rollup?.progress.reported).toBe(participants.length);
  expect(rollup?.totals.arrests).toBe([...arrests.values()].reduce((a, b) => a + b, 0));
  for (const [cc, n] of arrests) expect(rollup?.byCountry[cc]?.arrests).toBe(n);
  // One revision per country: no upload was applied twice.
  expect(rollup?.version).toBe(
    rollupVersion(
      1,
      participants.map(() => ({ rev: 1 })),
    ),
  );
  const { submissions } = await stack.repo.listSubmissions(OP, null, { limit: 1000 });
  expect(submissions).toHaveLength(participants.length);
  expect(new Set(submissions.map((s) => s.status))).toEqual(new Set(['accepted']));
}

describe('the DynamoDB server down for 10 s during a 119-country burst', () => {
  let stack: Stack;

  beforeAll(async () => {
    // The stack's own queue settings (`queue: {}`), not the shortened retries of other tests.
    stack = await freshStack({ queue: {} });
  });
  afterAll(async () => {
    await stack.dispose();
  });

  it('counts every upload exactly once after it returns, nothing in the DLQ', async () => {
    const counted = await burstWithOutage(stack, OUTAGE_MS);
    await stack.settled();

    expect(counted).toBeLessThan(participants.length);
    expect(stack.queue.deadLetters).toEqual([]);
    await expectEachUploadCountedOnce(stack);
  });
});

describe('an outage outlasting the retries', () => {
  let stack: Stack;

  beforeAll(async () => {
    // Retries within half a second: a 3 s outage exhausts all 5 receives of every pending upload.
    stack = await freshStack({ queue: { retryDelayMs: 50, maxRetryDelayMs: 200 } });
  });
  afterAll(async () => {
    await stack.dispose();
  });

  it('parks the uploads in the DLQ; a redrive once the server is back counts each exactly once', async () => {
    await burstWithOutage(stack, 3_000);
    await stack.settled();
    const parked = stack.queue.deadLetters.length;

    expect(parked).toBeGreaterThan(0);
    expect(await stack.queue.redrive()).toBe(parked);
    await stack.settled();
    expect(stack.queue.deadLetters).toEqual([]);
    await expectEachUploadCountedOnce(stack);
  });
});
