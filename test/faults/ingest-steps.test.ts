import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIngestHandler } from '../../functions/ingest/ingest.ts';
import type { Operation } from '../../shared/domain/operation.ts';
import { anOperation, aReturn } from '../support/builders.ts';
import { defineOn, freshStack } from '../support/local-servers.ts';
import {
  deliverUntilDone,
  type FaultTiming,
  failOnce,
  ownAdapters,
  storedRollup,
  uploaded,
} from './inject.ts';

/**
 * Invariant 2 under crashes: the ingest handler failing at any step of applying a return — the
 * step's request made or not — is retried by the queue, and the retry leaves the totals a clean
 * run leaves, each upload counted once.
 */

type Stack = Awaited<ReturnType<typeof freshStack>>;

/** Three uploads: KE, then BR, then KE's correction (which replaces KE's figures wholesale). */
const UPLOADS = [
  {
    country: 'KE',
    csv: aReturn().withRow('2025-11-10', 'arrests', 5).withRow('2025-11-10', 'officers_deployed', 40).csv(),
  },
  {
    country: 'BR',
    csv: aReturn()
      .withRow('2025-11-10', 'arrests', 7)
      .withRow('2025-11-11', 'victims_safeguarded', 3)
      .withRow('2025-11-11', 'victims_safeguarded', 2, 'exploitation=forced_labour')
      .csv(),
  },
  {
    country: 'KE',
    csv: aReturn().withRow('2025-11-10', 'arrests', 6).withRow('2025-11-11', 'arrests', 2).csv(),
  },
] as const;

/** Each step of applying a return, as the handler's calls to its repository and object store. */
const STEPS: { adapter: 'repo' | 'objects'; method: string; timing: FaultTiming }[] = [
  { adapter: 'repo', method: 'getOperationAndCountries', timing: 'before' },
  { adapter: 'repo', method: 'getOperationAndCountries', timing: 'after' },
  { adapter: 'repo', method: 'startSubmission', timing: 'after' },
  { adapter: 'objects', method: 'open', timing: 'after' },
  { adapter: 'repo', method: 'applyCountry', timing: 'before' },
  { adapter: 'repo', method: 'applyCountry', timing: 'after' },
  { adapter: 'objects', method: 'putJson', timing: 'before' },
  { adapter: 'objects', method: 'putJson', timing: 'after' },
  { adapter: 'repo', method: 'finishSubmissions', timing: 'before' },
  { adapter: 'repo', method: 'finishSubmissions', timing: 'after' },
  { adapter: 'repo', method: 'rollupBasis', timing: 'before' },
  { adapter: 'objects', method: 'putBytes', timing: 'after' },
  { adapter: 'repo', method: 'putRollupHead', timing: 'after' },
  { adapter: 'repo', method: 'putRollupHistory', timing: 'after' },
];

describe('a crash at any step of applying a return', () => {
  let stack: Stack;
  let ops = 0;
  let clean: { totals: unknown; byCountry: unknown; byDay: unknown; version: number };

  /** Runs the three uploads on a new operation; `fault` may make one call fail once. */
  async function run(fault?: {
    adapter: 'repo' | 'objects';
    method: string;
    timing: FaultTiming;
    call: number;
  }) {
    const op: Operation = anOperation({ id: `faults-steps-${++ops}` });
    await defineOn(stack, op);
    const adapters = ownAdapters(stack);
    const struck = fault
      ? failOnce(adapters[fault.adapter], fault.method as never, fault.call, fault.timing).struck
      : () => 0;
    const ingest = makeIngestHandler({ ...adapters, maxReceives: 5, log: () => undefined });
    const deliveries: number[] = [];
    for (const [i, u] of UPLOADS.entries()) {
      const notification = await uploaded(
        stack,
        `incoming/${op.id}/${u.country}/upload-${i}.csv`,
        u.csv,
        new Date(Date.parse('2025-11-11T08:00:00Z') + i * 1000).toISOString(),
      );
      deliveries.push(await deliverUntilDone(ingest, notification));
    }
    const rollup = await storedRollup(stack, op.id);
    const { submissions } = await stack.repo.listSubmissions(op.id, null, { limit: 100 });
    return { rollup, submissions, deliveries, struck: struck() };
  }

  beforeAll(async () => {
    stack = await freshStack({ notifications: false });
    const { rollup } = await run();
    if (!rollup) throw new Error('the clean run left no rollup');
    clean = {
      totals: rollup.totals,
      byCountry: rollup.byCountry,
      byDay: rollup.byDay,
      version: rollup.version,
    };
  });
  afterAll(async () => {
    await stack.dispose();
  });

  it('is the reference: a clean run counts each upload once', () => {
    // KE's figures replaced once (rev 2) and BR's set once (rev 1).
    expect(clean.version).toBe(1_000_000_003);
    expect(clean.byCountry).toMatchObject({
      KE: { arrests: 8, officers_deployed: null },
      BR: { arrests: 7 },
    });
  });

  for (const step of STEPS) {
    for (const call of [1, 3]) {
      it(`gives the clean run's totals when ${step.method} fails ${step.timing} its call (call ${call})`, async () => {
        const { rollup, submissions, deliveries, struck } = await run({ ...step, call });

        expect(struck).toBe(1);
        // The upload whose step failed took a second delivery, unless the handler recovered in the
        // same delivery: it reads the file again itself, and writes each verdict alone when the
        // batched ledger write fails.
        const recoversInPlace = step.method === 'open' || step.method === 'finishSubmissions';
        expect(deliveries.reduce((a, b) => a + b, 0)).toBe(recoversInPlace ? 3 : 4);
        expect(rollup?.totals).toEqual(clean.totals);
        expect(rollup?.byCountry).toEqual(clean.byCountry);
        expect(rollup?.byDay).toEqual(clean.byDay);
        expect(rollup?.version).toBe(clean.version);
        expect(submissions.map((s) => s.status)).toEqual(['accepted', 'accepted', 'accepted']);
      });
    }
  }
});
