import { type Operation, windowDates } from '../shared/domain/operation.ts';
import { parseOperation } from '../shared/domain/operation-schema.ts';

/**
 * A synthetic operation large enough for big returns: `days` × `metrics`, each metric broken down
 * by `units` reporting units (e.g. police districts), so a return can have up to
 * days × metrics × (units + 1) distinct rows.
 */
export function syntheticOperation(
  id: string,
  o: { days: number; metrics: number; units: number },
): Operation {
  const start = Date.parse('2025-01-01T00:00:00Z');
  const end = new Date(start + (o.days - 1) * 86_400_000).toISOString().slice(0, 10);
  const units = Array.from({ length: o.units }, (_, i) => `u${String(i).padStart(5, '0')}`);
  const parsed = parseOperation({
    id,
    name: `Synthetic ${id}`,
    window: { start: '2025-01-01', end },
    reportingDeadline: '2030-01-01T00:00:00Z',
    participants: [
      { code: 'BR', name: 'Brazil', region: 'Americas' },
      { code: 'FR', name: 'France', region: 'Europe' },
    ],
    metrics: Array.from({ length: o.metrics }, (_, i) => ({
      id: `m${String(i).padStart(3, '0')}`,
      label: `Metric ${i}`,
      aggregation: 'sum',
      breakdowns: o.units > 0 ? [{ dimension: 'unit', values: units }] : [],
    })),
    limits: { maxRows: 2_000_000, maxFileBytes: 200 * 1024 * 1024 },
  });
  if (!parsed.ok) throw new Error(parsed.error.join('\n'));
  return parsed.value;
}

/**
 * A valid CSV return with exactly `rows` rows: day totals first, then unit breakdowns, each
 * breakdown value 1 and each total the number of units, so the breakdown rule holds.
 */
export function syntheticReturn(op: Operation, rows: number): string {
  const dates = windowDates(op);
  const lines: string[] = ['date,metric,breakdown,value'];
  const units = op.metrics[0]?.breakdowns[0]?.values ?? [];
  outer: for (const metric of op.metrics) {
    for (const date of dates) {
      if (lines.length > rows) break outer;
      lines.push(`${date},${metric.id},,${units.length}`);
    }
  }
  outer2: for (const metric of op.metrics) {
    for (const date of dates) {
      for (const unit of units) {
        if (lines.length > rows) break outer2;
        lines.push(`${date},${metric.id},unit=${unit},1`);
      }
    }
  }
  if (lines.length - 1 < rows)
    throw new Error(`the operation holds only ${lines.length - 1} distinct rows, not ${rows}`);
  return `${lines.join('\n')}\n`;
}
