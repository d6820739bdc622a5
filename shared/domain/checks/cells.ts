import { type Metric, maxCountryFigure, type Operation } from '../operation.ts';
import { truncate } from '../problems.ts';
import type { ReturnCells } from '../return-cells.ts';
import type { AddProblem } from './add-problem.ts';
import { figureLimitHint } from './figures.ts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The checks of one cell of a data row (its date, metric, breakdown and value), against the
 * operation. Each returns the cell's canonical value, or reports why it is not valid and returns
 * null (undefined for a breakdown, whose total is '').
 */
export class CellChecks {
  readonly #op: Operation;
  readonly #cells: ReturnCells;
  readonly #add: AddProblem;
  readonly #metrics: Map<string, Metric>;
  /** metric → its allowed "dimension=value" breakdowns. */
  readonly #breakdowns: Map<string, Set<string>>;
  /** The largest value or total a country may report (see `maxCountryFigure`). */
  readonly #maxFigure: number;

  constructor(op: Operation, cells: ReturnCells, add: AddProblem) {
    this.#op = op;
    this.#cells = cells;
    this.#add = add;
    this.#metrics = new Map(op.metrics.map((m) => [m.id, m]));
    this.#maxFigure = maxCountryFigure(op);
    this.#breakdowns = new Map(
      op.metrics.map((m) => [
        m.id,
        new Set(m.breakdowns.flatMap((b) => b.values.map((v) => `${b.dimension}=${v}`))),
      ]),
    );
  }

  /** The date, YYYY-MM-DD within the operation window, or null. */
  date(row: number, v: unknown): string | null {
    const { start, end } = this.#op.window;
    if (typeof v !== 'string' || v === '') {
      this.#add(
        'bad-date',
        row,
        'date',
        v ?? '',
        'The date is missing or not text.',
        `Write the date as YYYY-MM-DD, e.g. ${start}.`,
      );
      return null;
    }
    // Most rows repeat a handful of dates: a window date needs no further check.
    if (this.#cells.isWindowDate(v)) return v;
    const m = DATE.exec(v);
    const valid =
      m !== null &&
      (() => {
        const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
        return d.toISOString().slice(0, 10) === v;
      })();
    if (!valid) {
      this.#add(
        'bad-date',
        row,
        'date',
        v,
        `"${truncate(v, 30)}" is not a date written YYYY-MM-DD.`,
        `Write the date as YYYY-MM-DD, e.g. ${start}; set the spreadsheet column to text if it reformats dates.`,
      );
      return null;
    }
    if (v < start || v > end) {
      this.#add(
        'date-outside-window',
        row,
        'date',
        v,
        `${v} is outside the operation window.`,
        `Dates must fall between ${start} and ${end}.`,
      );
      return null;
    }
    return v;
  }

  /** The operation's metric the cell names (exactly), or null; a near miss is suggested. */
  metric(row: number, v: unknown): Metric | null {
    const id = typeof v === 'string' ? v : '';
    const metric = this.#metrics.get(id);
    if (metric) return metric;
    const near = closest(id, [...this.#metrics.keys()]);
    this.#add(
      'unknown-metric',
      row,
      'metric',
      v ?? '',
      id === '' ? 'The metric is missing.' : `"${truncate(id, 40)}" is not a metric of ${this.#op.name}.`,
      `${near ? `Did you mean "${near}"? ` : ''}Metrics: ${[...this.#metrics.keys()].join(', ')}.`,
    );
    return null;
  }

  /** The canonical "dimension=value" breakdown, '' for the metric's total, or undefined when invalid. */
  breakdown(row: number, metric: Metric, v: unknown): string | undefined {
    // `ReturnChecker.row` trimmed the cell already.
    if (v === undefined || v === null || v === '') return '';
    const allowed = this.#breakdowns.get(metric.id) ?? new Set<string>();
    // Written exactly as the definition writes it (the usual case): nothing more to check.
    if (typeof v === 'string' && allowed.has(v)) return v;
    const hint = (): string => {
      if (allowed.size === 0) return `${metric.id} has no breakdowns: leave the breakdown cell empty.`;
      const listed = [...allowed].slice(0, 12).join(', ');
      return `Leave it empty for the total, or write one of: ${listed}${allowed.size > 12 ? ` … (${allowed.size} in all; see the template)` : ''}.`;
    };
    if (typeof v !== 'string' || !/^[^=]+=[^=]+$/.test(v.trim())) {
      this.#add(
        'bad-breakdown',
        row,
        'breakdown',
        v,
        `"${truncate(String(v), 40)}" is not written dimension=value.`,
        hint(),
      );
      return undefined;
    }
    const [dimension = '', value = ''] = v
      .trim()
      .split('=')
      .map((s) => s.trim());
    const canonical = `${dimension}=${value}`;
    if (!allowed.has(canonical)) {
      this.#add(
        'unknown-breakdown',
        row,
        'breakdown',
        v,
        `${metric.id} has no breakdown "${truncate(canonical, 40)}".`,
        hint(),
      );
      return undefined;
    }
    return canonical;
  }

  /**
   * The figure: a whole number of zero or more, at most the operation's cap; `typed` (JSON) wants a
   * number, not text.
   */
  value(row: number, v: unknown, typed: boolean): number | null {
    const bad = (message: string, hint: string): null => {
      this.#add('bad-value', row, 'value', v ?? '', message, hint);
      return null;
    };
    if (typeof v === 'number') {
      if (!Number.isInteger(v) || v < 0)
        return bad(`${v} is not a whole number of zero or more.`, 'Write a whole number such as 12.');
      return v <= this.#maxFigure ? v : this.#tooLarge(row, v);
    }
    if (typed && typeof v === 'string')
      return bad(
        `The value ${JSON.stringify(truncate(v, 30))} is text, not a number.`,
        `Write the value as a JSON number, without quotes: "value": ${/^\d+$/.test(v) ? v : 12}.`,
      );
    if (typeof v !== 'string')
      return bad(
        'The value is missing or not a number.',
        'Write a whole number such as 12; write 0 to report zero.',
      );
    if (v === '')
      return bad(
        'The value is empty.',
        'Write 0 to report zero; to report nothing for this date and metric, delete the row.',
      );
    if (/^\d+$/.test(v)) {
      const n = Number(v);
      return n <= this.#maxFigure ? n : this.#tooLarge(row, v);
    }
    if (/^[+-]\d/.test(v) && v.startsWith('-'))
      return bad(
        `${truncate(v, 30)} is negative.`,
        'Figures count people or cases: write 0 or more. To correct an earlier figure, upload the full return again with the right value.',
      );
    if (/^\d{1,3}([,.' ]\d{3})+$/.test(v))
      return bad(
        `${v} has thousands separators.`,
        `Write the number without separators: ${v.replace(/[,.' ]/g, '')}.`,
      );
    if (/^\d*\.\d+$/.test(v))
      return bad(`${v} is not a whole number.`, 'Figures are counts: write a whole number.');
    if (/^[+]?\d*\.?\d+e[+-]?\d+$/i.test(v))
      return bad(
        `${v} is written in exponent notation.`,
        'Write the number in full digits, e.g. 1000 rather than 1e3; set the spreadsheet cell format to Number.',
      );
    return bad(`"${truncate(v, 30)}" is not a number.`, 'Write a whole number such as 12, with digits only.');
  }

  #tooLarge(row: number, v: unknown): null {
    this.#add(
      'value-too-large',
      row,
      'value',
      v,
      'The value is too large to be a real count, or to be added up exactly in the global totals.',
      figureLimitHint(this.#op),
    );
    return null;
  }
}

/** The candidate nearest to `word` when it is a plausible typo (edit distance ≤ 3), else undefined. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(w, c);
    if (d <= 3 && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (cur[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] ?? 99;
}
