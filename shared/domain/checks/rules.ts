import type { Operation } from '../operation.ts';
import type { ProblemCode } from '../problems.ts';
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
      add(
        'breakdown-without-total',
        row,
        'breakdown',
        breakdown,
        `Row ${row} breaks down ${metric} for ${date}, but the file has no total of ${metric} for that day.`,
        `Add a row for ${date}, ${metric} with the breakdown cell empty and the day's total.`,
      );
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
    const code: ProblemCode = severity === 'error' ? 'rule-violation' : 'rule-warning';
    if (rule.kind === 'lte') {
      cells.forEach((key, row, value) => {
        if (cells.metric(key) !== rule.metric || cells.totalOf(key) !== key) return;
        const cell = { row, value };
        const date = cells.date(key);
        const bound = dayTotal(date, rule.bound);
        if (!bound) {
          add(
            code,
            cell.row,
            'value',
            cell.value,
            `Rule ${rule.id}: ${rule.metric} on ${date} is ${cell.value}, but the file has no ${rule.bound} for that day.`,
            `${rule.metric} must not exceed ${rule.bound} on the same day: add the ${rule.bound} row for ${date}.`,
          );
        } else if (cell.value > bound.value) {
          add(
            code,
            cell.row,
            'value',
            cell.value,
            `Rule ${rule.id}: ${rule.metric} on ${date} is ${cell.value}, more than ${rule.bound} (${bound.value}, row ${bound.row}).`,
            `${rule.metric} must not exceed ${rule.bound} on the same day: correct one of the two rows.`,
          );
        }
      });
    } else {
      for (const s of breakdownSums.values()) {
        const [date, metric, dimension] = [cells.date(s.key), cells.metric(s.key), cells.dimension(s.key)];
        if (metric !== rule.metric || dimension !== rule.dimension) continue;
        const total = dayTotal(date, metric);
        if (total && s.sum > total.value) {
          add(
            code,
            s.row,
            'value',
            s.sum,
            `Rule ${rule.id}: the ${dimension} rows of ${metric} on ${date} add up to ${s.sum}, more than the day's total of ${total.value} (row ${total.row}).`,
            `The breakdown rows of a day must add up to no more than its total: correct the total or the breakdown rows.`,
          );
        }
      }
    }
  }
}
