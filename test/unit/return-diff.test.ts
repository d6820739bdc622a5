import { describe, expect, it } from 'vitest';
import type { CountryFigures } from '../../shared/domain/checks/figures.ts';
import { returnDiff } from '../../shared/domain/return-diff.ts';
import { anOperation, aReturn, readText } from '../support/builders.ts';

// `anOperation()`: 10–12 November 2025; `arrests` is a flow (sum), `officers_deployed` a gauge (max).
const op = anOperation();
const order = op.metrics.map((m) => m.id);

async function figuresOf(build: (r: ReturnType<typeof aReturn>) => ReturnType<typeof aReturn>) {
  const checked = await readText(build(aReturn()).csv(), 'csv');
  if (!checked.figures) throw new Error(`the fixture return was rejected: ${JSON.stringify(checked.report)}`);
  return checked.figures satisfies CountryFigures;
}

describe('what a return would change', () => {
  it('lists every figure of a first return as new', async () => {
    const next = await figuresOf((r) =>
      r.withRow('2025-11-10', 'arrests', 4).withRow('2025-11-11', 'arrests', 0),
    );

    const diff = returnDiff(order, null, next);

    expect(diff.firstReturn).toBe(true);
    expect(diff.metrics).toEqual([
      {
        metric: 'arrests',
        current: null,
        next: 4,
        daysAdded: ['2025-11-10', '2025-11-11'],
        daysRemoved: [],
        daysChanged: [],
      },
    ]);
    expect(diff.daysRemoved).toEqual([]);
    expect(diff.unchanged).toBe(false);
  });

  it('shows a day the replacement drops as a day that would disappear', async () => {
    const current = await figuresOf((r) =>
      r.withRow('2025-11-10', 'arrests', 5).withRow('2025-11-11', 'arrests', 3),
    );
    const next = await figuresOf((r) =>
      r.withRow('2025-11-11', 'arrests', 3).withRow('2025-11-12', 'arrests', 9),
    );

    const diff = returnDiff(order, current, next);

    expect(diff.metrics).toEqual([
      {
        metric: 'arrests',
        current: 8,
        next: 12,
        daysAdded: ['2025-11-12'],
        daysRemoved: ['2025-11-10'],
        daysChanged: [],
      },
    ]);
    expect(diff.daysRemoved).toEqual(['2025-11-10']);
  });

  it('keeps a metric the file no longer reports, as not reported (null) rather than 0', async () => {
    const current = await figuresOf((r) =>
      r.withRow('2025-11-10', 'arrests', 5).withRow('2025-11-10', 'officers_deployed', 0),
    );
    const next = await figuresOf((r) => r.withRow('2025-11-10', 'arrests', 5));

    const diff = returnDiff(order, current, next);

    expect(diff.metrics.map((m) => [m.metric, m.current, m.next, m.daysRemoved])).toEqual([
      ['arrests', 5, 5, []],
      ['officers_deployed', 0, null, ['2025-11-10']],
    ]);
    expect(diff.daysRemoved).toEqual(['2025-11-10']);
    expect(diff.unchanged).toBe(false);
  });

  it('names a day whose figure changes, and lists metrics in the operation order', async () => {
    const current = await figuresOf((r) =>
      r.withRow('2025-11-10', 'officers_deployed', 100).withRow('2025-11-10', 'arrests', 2),
    );
    const next = await figuresOf((r) =>
      r.withRow('2025-11-10', 'officers_deployed', 120).withRow('2025-11-10', 'arrests', 2),
    );

    const diff = returnDiff(order, current, next);

    expect(diff.metrics.map((m) => m.metric)).toEqual(
      order.filter((m) => m === 'arrests' || m === 'officers_deployed'),
    );
    const officers = diff.metrics.find((m) => m.metric === 'officers_deployed');
    expect(officers).toMatchObject({ current: 100, next: 120, daysChanged: ['2025-11-10'] });
    expect(diff.daysRemoved).toEqual([]);
  });

  it('says a resent identical return changes nothing', async () => {
    const current = await figuresOf((r) => r.withRow('2025-11-10', 'arrests', 5));

    const diff = returnDiff(order, current, current);

    expect(diff.unchanged).toBe(true);
    expect(diff.firstReturn).toBe(false);
  });
});
