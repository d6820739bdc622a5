import type { Operation } from '../operation.ts';
import type { ReturnCells } from '../return-cells.ts';
import type { AddProblem } from './add-problem.ts';

/**
 * The checks across rows, run once every row is read and none had an error: each breakdown row needs
 * its day's total, and the operation's rules (a metric bounded by another on the same day; a day's
 * breakdown rows adding up to no more than its total). A rule's severity decides whether its
 * problems are errors (`rule-violation`) or warnings (`rule-warning`).
 */
export function applyRules(op: Pick<Operation, 'rules'>, cells: ReturnCells, add: AddProblem): void {
  const dayTotal = (date: string, metric: string): { row: number; value: number } | undefined => {
    const key = cells.key(date, metric, '');
    const row = cells.rowOf(key);
    return row === undefined ? undefined : { row, value: cells.valueOf(key) };
  };
  // Every breakdown row needs its day's total. Sums per (date, metric, dimension), by group key.
  const breakdownSums = new Map<number, { key: number; sum: number; row: number }>();
  cells.forEach((key, row, value) => {
    if (cells.totalOf(key) === key) return;
    if (cells.rowOf(cells.totalOf(key)) === undefined) {
      const [date, metric, breakdown] = [cells.date(key), cells.metric(key), cells.breakdown(key)];
      add('breakdown-without-total', row, 'breakdown', breakdown, { row, metric, date });
    }
    const group = cells.groupOf(key);
    const s = breakdownSums.get(group);
    if (s) {
      s.sum += value;
      s.row = Math.max(s.row, row);
    } else breakdownSums.set(group, { key, sum: value, row });
  });
  for (const rule of op.rules) {
    const severity = rule.severity;
    const code = severity === 'error' ? 'rule-violation' : 'rule-warning';
    if (rule.kind === 'lte') {
      cells.forEach((key, row, value) => {
        if (cells.metric(key) !== rule.metric || cells.totalOf(key) !== key) return;
        const cell = { row, value };
        const date = cells.date(key);
        const bound = dayTotal(date, rule.bound);
        if (!bound) {
          add(`${code}.missing-bound`, cell.row, 'value', cell.value, {
            rule: rule.id,
            metric: rule.metric,
            date,
            value: cell.value,
            bound: rule.bound,
          });
        } else if (cell.value > bound.value) {
          add(`${code}.exceeds`, cell.row, 'value', cell.value, {
            rule: rule.id,
            metric: rule.metric,
            date,
            value: cell.value,
            bound: rule.bound,
            boundValue: bound.value,
            boundRow: bound.row,
          });
        }
      });
    } else {
      for (const s of breakdownSums.values()) {
        const [date, metric, dimension] = [cells.date(s.key), cells.metric(s.key), cells.dimension(s.key)];
        if (metric !== rule.metric || dimension !== rule.dimension) continue;
        const total = dayTotal(date, metric);
        if (total && s.sum > total.value) {
          add(`${code}.breakdown-sum`, s.row, 'value', s.sum, {
            rule: rule.id,
            dimension,
            metric,
            date,
            sum: s.sum,
            total: total.value,
            totalRow: total.row,
          });
        }
      }
    }
  }
}
