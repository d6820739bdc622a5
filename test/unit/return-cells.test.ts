import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Operation, windowDates } from '../../shared/domain/operation.ts';
import { ReturnCells } from '../../shared/domain/return-cells.ts';
import { anOperation } from '../support/builders.ts';

/** Metric ids one of which prefixes another: `a|…` sorts after `a_b|…` as text. */
const METRICS = ['arrests', 'arrests_trafficking_smuggling', 'victims', 'victims_safeguarded'];

function operationWith(days: number, units: number): Operation {
  const end = new Date(Date.parse('2025-01-01T00:00:00Z') + (days - 1) * 86_400_000)
    .toISOString()
    .slice(0, 10);
  return anOperation({
    window: { start: '2025-01-01', end },
    metrics: METRICS.map((id) => ({
      id,
      label: id,
      aggregation: 'sum',
      breakdowns: [
        { dimension: 'unit', values: Array.from({ length: units }, (_, i) => `u${i}`) },
        { dimension: 'age', values: ['adult', 'minor'] },
      ],
    })),
    rules: [],
  });
}

/** Cells as (date, metric, breakdown) picked from the operation's grid. */
function cellsOf(op: Operation) {
  const dates = windowDates(op);
  const breakdowns = ['', 'age=adult', 'age=minor', 'unit=u0', 'unit=u1', 'unit=u10', 'unit=u2'];
  return fc.uniqueArray(
    fc.tuple(fc.constantFrom(...dates), fc.constantFrom(...METRICS), fc.constantFrom(...breakdowns)),
    { selector: (c) => c.join('|'), maxLength: 60 },
  );
}

describe('ReturnCells', () => {
  // 10 × 4 × 14 cells fit the flat index; 400 × 4 × 3,003 (4.8 million) take the Map.
  for (const [label, op] of [
    ['a small grid (flat index)', operationWith(10, 11)],
    ['a grid of millions of cells (Map index)', operationWith(400, 3001)],
  ] as const) {
    it(`visits cells in the order of their date|metric|breakdown texts, for ${label}`, () => {
      fc.assert(
        fc.property(cellsOf(op), (cells) => {
          const store = new ReturnCells(op);
          for (const [i, [d, m, b]] of cells.entries()) store.add(store.key(d, m, b), i + 2, i);
          const visited: string[] = [];
          store.forEachSorted((key) =>
            visited.push(`${store.date(key)}|${store.metric(key)}|${store.breakdown(key)}`),
          );
          expect(visited).toEqual(cells.map((c) => c.join('|')).sort());
        }),
      );
    });

    it(`keeps each cell's row and value, and file order, for ${label}`, () => {
      fc.assert(
        fc.property(cellsOf(op), (cells) => {
          const store = new ReturnCells(op);
          for (const [i, [d, m, b]] of cells.entries()) store.add(store.key(d, m, b), i + 2, 10 * i);
          const inOrder: number[] = [];
          store.forEach((_key, row) => {
            inOrder.push(row);
          });
          expect(inOrder).toEqual(cells.map((_, i) => i + 2));
          cells.forEach(([d, m, b], i) => {
            expect(store.rowOf(store.key(d, m, b))).toBe(i + 2);
            expect(store.valueOf(store.key(d, m, b))).toBe(10 * i);
          });
        }),
      );
    });
  }

  it('groups the breakdown rows of one date, metric and dimension under one number', () => {
    const op = operationWith(3, 3);
    const store = new ReturnCells(op);
    const k = (d: string, b: string) => store.key(d, 'victims', b);

    expect(store.groupOf(k('2025-01-01', 'unit=u0'))).toBe(store.groupOf(k('2025-01-01', 'unit=u2')));
    expect(store.groupOf(k('2025-01-01', 'unit=u0'))).not.toBe(store.groupOf(k('2025-01-01', 'age=adult')));
    expect(store.groupOf(k('2025-01-01', 'unit=u0'))).not.toBe(store.groupOf(k('2025-01-02', 'unit=u0')));
    expect(store.totalOf(k('2025-01-02', 'age=minor'))).toBe(k('2025-01-02', ''));
    expect(store.dimension(k('2025-01-02', 'age=minor'))).toBe('age');
  });

  it('has no key for a cell outside the operation', () => {
    const store = new ReturnCells(operationWith(3, 3));

    expect(store.key('2025-02-01', 'victims', '')).toBe(-1);
    expect(store.key('2025-01-01', 'victim', '')).toBe(-1);
    expect(store.key('2025-01-01', 'victims', 'unit=u9')).toBe(-1);
    expect(store.rowOf(-1)).toBeUndefined();
  });
});
