import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectCreated, sqsEventOf } from '../../events/load-event.ts';
import { makeIngestHandler } from '../../functions/ingest/ingest.ts';
import { storedRollup } from '../../shared/app/read-rollup.ts';
import type { Operation } from '../../shared/domain/operation.ts';
import { parseOperation } from '../../shared/domain/operation-schema.ts';
import { readReturn } from '../../shared/domain/read-return.ts';
import { type CountryState, rollup } from '../../shared/domain/rollup.ts';
import { defineOn, freshStack } from '../support/local-servers.ts';

/**
 * Invariants 1–3 under at-least-once, out-of-order, concurrent delivery: whatever the schedule,
 * the stored rollup equals the rollup of each country's latest accepted return.
 */

const RUNS = Number(process.env.OPTALLY_PROPERTY_RUNS ?? '200');
const COUNTRIES = ['AR', 'BR', 'CL'] as const;
const DAYS = ['2025-11-10', '2025-11-11', '2025-11-12'] as const;

function operation(id: string): Operation {
  const parsed = parseOperation({
    id,
    name: `Property ${id}`,
    window: { start: DAYS[0], end: DAYS[2] },
    reportingDeadline: '2025-11-20T00:00:00Z',
    participants: [
      { code: 'AR', name: 'Argentina', region: 'Americas' },
      { code: 'BR', name: 'Brazil', region: 'Americas' },
      { code: 'CL', name: 'Chile', region: 'Americas' },
    ],
    metrics: [
      { id: 'arrests', label: 'Arrests', aggregation: 'sum' },
      { id: 'officers', label: 'Officers', aggregation: 'max' },
    ],
  });
  if (!parsed.ok) throw new Error(parsed.error.join('\n'));
  return parsed.value;
}

type Upload = {
  country: (typeof COUNTRIES)[number];
  valid: boolean;
  cells: [number, number, number][];
  at: number;
};

const uploadArb: fc.Arbitrary<Omit<Upload, 'at'>> = fc.record({
  country: fc.constantFrom(...COUNTRIES),
  valid: fc.constantFrom(true, true, true, false),
  // (day index, metric index, value): duplicates of a (day, metric) make the file invalid too.
  cells: fc.uniqueArray(fc.tuple(fc.nat(2), fc.nat(1), fc.nat(50)), {
    minLength: 1,
    maxLength: 4,
    selector: ([d, m]) => `${d}|${m}`,
  }),
});

async function* bytesOf(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text);
}

function csv(u: Upload): string {
  const rows = u.cells.map(([d, m, v]) => `${DAYS[d]},${m === 0 ? 'arrests' : 'officers'},${v}`);
  if (!u.valid) rows.push(`${DAYS[0]},arrests,-1`);
  return `date,metric,value\n${rows.join('\n')}\n`;
}

const scheduleArb = fc.array(uploadArb, { minLength: 1, maxLength: 5 }).chain((uploads) =>
  fc.record({
    uploads: fc.constant(uploads),
    // Each upload is delivered 1–3 times; deliveries are shuffled and grouped to run concurrently.
    copies: fc.array(fc.integer({ min: 1, max: 3 }), {
      minLength: uploads.length,
      maxLength: uploads.length,
    }),
    order: fc.array(fc.nat(), { minLength: 15, maxLength: 15 }),
    groupSizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 15, maxLength: 15 }),
  }),
);

describe('exactly-once totals under any delivery schedule', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  beforeAll(async () => {
    stack = await freshStack({ notifications: false });
  });
  afterAll(async () => {
    await stack.dispose();
  });

  it(`ends in the rollup of each country's latest accepted return (${RUNS} random schedules)`, async () => {
    let run = 0;
    const ingest = makeIngestHandler({
      repo: stack.repo,
      objects: stack.objects,
      maxReceives: 5,
      log: () => undefined,
    });
    await fc.assert(
      fc.asyncProperty(scheduleArb, async ({ uploads: drafts, copies, order, groupSizes }) => {
        const op = operation(`prop-${++run}`);
        await defineOn(stack, op);
        // Upload times are distinct and increasing in list order; delivery order is random.
        const uploads: Upload[] = drafts.map((d, i) => ({
          ...d,
          at: Date.parse('2025-11-12T00:00:00Z') + i * 1000,
        }));
        const events = await Promise.all(
          uploads.map(async (u, i) => {
            const key = `incoming/${op.id}/${u.country}/upload-${i}.csv`;
            await stack.objects.put(key, csv(u));
            return sqsEventOf([
              objectCreated(key, { eventTime: new Date(u.at).toISOString(), bucket: stack.bucket }),
            ]);
          }),
        );
        const deliveries = events.flatMap((e, i) => Array.from({ length: copies[i] ?? 1 }, () => e));
        const shuffled = deliveries
          .map((e, i) => ({ e, k: order[i % order.length] ?? 0, i }))
          .sort((a, b) => a.k - b.k || a.i - b.i)
          .map((x) => x.e);

        let versionSeen = 0;
        for (let i = 0, g = 0; i < shuffled.length; g++) {
          const size = groupSizes[g % groupSizes.length] ?? 1;
          const group = shuffled.slice(i, i + size);
          i += size;
          const responses = await Promise.all(group.map((e) => ingest(e)));
          for (const r of responses) expect(r.batchItemFailures).toEqual([]);
          const stored = await storedRollup(stack, op.id);
          expect(stored?.version ?? 0).toBeGreaterThanOrEqual(versionSeen); // never regresses
          versionSeen = stored?.version ?? 0;
        }

        // The oracle: pure functions over each country's latest valid upload.
        const latest = new Map<string, CountryState>();
        for (const u of uploads) {
          if (!u.valid) continue;
          const { figures } = await readReturn(bytesOf(csv(u)), 'csv', {
            operation: op,
            country: u.country,
          });
          if (!figures) throw new Error('the oracle rejected a valid upload');
          latest.set(u.country, {
            country: u.country,
            figures,
            submissionId: '',
            orderKey: '',
            receivedAt: '',
            acceptedAt: '',
            firstAcceptedAt: '',
            firstReceivedAt: '',
            rev: 1,
          });
        }
        const expected = rollup(op, [...latest.values()]);
        const stored = await storedRollup(stack, op.id);
        const actual = stored?.body ? JSON.parse(stored.body) : rollup(op, []);
        expect(actual.totals).toEqual(expected.totals);
        expect(actual.byCountry).toEqual(expected.byCountry);
        expect(actual.byDay).toEqual(expected.byDay);
        expect(actual.progress.missing).toEqual(expected.progress.missing);
      }),
      { numRuns: RUNS },
    );
  }, 600_000);
});
