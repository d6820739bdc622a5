import { type Metric, maxCountryFigure, type Operation } from '../operation.ts';
import { type ProblemId, type ProblemParams, truncate } from '../problems.ts';
import type { ReturnCells } from '../return-cells.ts';
import type { AddProblem } from './add-problem.ts';
import { figureLimitParams } from './figures.ts';

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
      this.#add('bad-date.missing', row, 'date', v ?? '', { example: start });
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
      this.#add('bad-date', row, 'date', v, { value: truncate(v, 30), example: start });
      return null;
    }
    if (v < start || v > end) {
      this.#add('date-outside-window', row, 'date', v, { value: v, start, end });
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
    const metrics = [...this.#metrics.keys()].join(', ');
    if (id === '') this.#add('unknown-metric.missing', row, 'metric', v ?? '', { metrics });
    else {
      this.#add('unknown-metric', row, 'metric', v, {
        value: truncate(id, 40),
        operation: this.#op.name,
        // 'none' cannot be a suggestion's text: metric ids are matched exactly, and 'none' is not near.
        suggestion: near ?? 'none',
        metrics,
      });
    }
    return null;
  }

  /** The canonical "dimension=value" breakdown, '' for the metric's total, or undefined when invalid. */
  breakdown(row: number, metric: Metric, v: unknown): string | undefined {
    // `ReturnChecker.row` trimmed the cell already.
    if (v === undefined || v === null || v === '') return '';
    const allowed = this.#breakdowns.get(metric.id) ?? new Set<string>();
    // Written exactly as the definition writes it (the usual case): nothing more to check.
    if (typeof v === 'string' && allowed.has(v)) return v;
    const listed = [...allowed].slice(0, 12);
    const choices = {
      metric: metric.id,
      allowed: listed.join(', '),
      allowedCount: allowed.size,
      more: allowed.size - listed.length,
    };
    if (typeof v !== 'string' || !/^[^=]+=[^=]+$/.test(v.trim())) {
      this.#add('bad-breakdown', row, 'breakdown', v, { value: truncate(String(v), 40), ...choices });
      return undefined;
    }
    const [dimension = '', value = ''] = v
      .trim()
      .split('=')
      .map((s) => s.trim());
    const canonical = `${dimension}=${value}`;
    if (!allowed.has(canonical)) {
      this.#add('unknown-breakdown', row, 'breakdown', v, { value: truncate(canonical, 40), ...choices });
      return undefined;
    }
    return canonical;
  }

  /**
   * The figure: a whole number of zero or more, at most the operation's cap; `typed` (JSON) wants a
   * number, not text.
   */
  value(row: number, v: unknown, typed: boolean): number | null {
    const bad = <I extends ProblemId & `bad-value${string}`>(id: I, params: ProblemParams<I>): null => {
      this.#add(id, row, 'value', v ?? '', params);
      return null;
    };
    if (typeof v === 'number') {
      if (!Number.isInteger(v) || v < 0) return bad('bad-value.not-count', { value: String(v) });
      return v <= this.#maxFigure ? v : this.#tooLarge(row, v);
    }
    if (typed && typeof v === 'string')
      return bad('bad-value.quoted', {
        value: JSON.stringify(truncate(v, 30)).slice(1, -1),
        example: /^\d+$/.test(v) ? v : '12',
      });
    if (typeof v !== 'string') return bad('bad-value.missing', {});
    if (v === '') return bad('bad-value.empty', {});
    if (/^\d+$/.test(v)) {
      const n = Number(v);
      return n <= this.#maxFigure ? n : this.#tooLarge(row, v);
    }
    if (/^[+-]\d/.test(v) && v.startsWith('-')) return bad('bad-value.negative', { value: truncate(v, 30) });
    if (/^\d{1,3}([,.' ]\d{3})+$/.test(v))
      return bad('bad-value.separators', { value: v, digits: v.replace(/[,.' ]/g, '') });
    if (/^\d*\.\d+$/.test(v)) return bad('bad-value.fraction', { value: v });
    if (/^[+]?\d*\.?\d+e[+-]?\d+$/i.test(v)) return bad('bad-value.exponent', { value: v });
    return bad('bad-value', { value: truncate(v, 30) });
  }

  #tooLarge(row: number, v: unknown): null {
    this.#add('value-too-large', row, 'value', v, figureLimitParams(this.#op));
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
